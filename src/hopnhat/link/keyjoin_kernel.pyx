# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled part of :mod:`hopnhat.link.keyjoins`: the pairs of one blocking join whose condition is equalities of
keys, filters of one record and ORs of those (:class:`hopnhat.link.joins.Keys`), found by sorting each side's records
on a hash of their keys, the pairs of equal hashes then checked exactly.

The records' values are one ``int32`` row per expression (``vals[e, uid]``; ``NULL_INT``: NULL, which equals
nothing), their filters one bit each (``bits[uid]``, bit set: the filter is TRUE).
"""

from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy

import numpy as np

cdef extern from *:
    const uint64_t SEED "0x9E3779B97F4A7C15ULL"  # (64-bit constants as C writes them)
    const uint64_t MIX "0xBF58476D1CE4E5B9ULL"

cdef enum:
    NULL_INT = -2147483647 - 1
    DIGIT = 11  # bits of the hash sorted per pass (three passes: 11 + 11 + 10 bits)
    BUCKETS = 2048


cdef inline uint32_t key_hash(const int32_t[:, ::1] vals, const int32_t[::1] cols, int64_t i) noexcept nogil:
    cdef uint64_t h = SEED
    cdef int64_t k
    for k in range(cols.shape[0]):
        h = (h ^ <uint32_t>vals[cols[k], i]) * MIX
        h ^= h >> 31
    return <uint32_t>(h >> 32)


cdef void radix_sort(uint32_t* h, int32_t* u, uint32_t* h2, int32_t* u2, int64_t m) noexcept nogil:
    """``h`` and ``u`` sorted by ``h``, stably (records of one hash stay in uid order); ``h2``, ``u2``: scratch."""
    cdef int64_t i, total, c
    cdef int64_t count[BUCKETS]
    cdef int shift, d, pass_
    cdef uint32_t* hs = h
    cdef uint32_t* hd = h2
    cdef int32_t* us = u
    cdef int32_t* ud = u2
    for pass_ in range(3):
        shift = pass_ * DIGIT
        for d in range(BUCKETS):
            count[d] = 0
        for i in range(m):
            count[(hs[i] >> shift) & (BUCKETS - 1)] += 1
        total = 0
        for d in range(BUCKETS):
            c = count[d]
            count[d] = total
            total += c
        for i in range(m):
            d = (hs[i] >> shift) & (BUCKETS - 1)
            hd[count[d]] = hs[i]
            ud[count[d]] = us[i]
            count[d] += 1
        hs, hd = hd, hs
        us, ud = ud, us
    if hs != h:  # (three passes: the sorted arrays are the scratch ones)
        memcpy(h, hs, m * sizeof(uint32_t))
        memcpy(u, us, m * sizeof(int32_t))


cdef inline bint takes(const int32_t[:, ::1] vals, const uint32_t[::1] bits, const int32_t[::1] cols,
                       uint32_t need, int64_t i) noexcept nogil:
    """Record ``i`` is on the side: every filter bit of ``need`` set, no value of ``cols`` NULL."""
    cdef int64_t k
    if (bits[i] & need) != need:
        return False
    for k in range(cols.shape[0]):
        if vals[cols[k], i] == NULL_INT:
            return False
    return True


def hashed(const int32_t[:, ::1] vals, const uint32_t[::1] bits, const int32_t[::1] cols, uint32_t need):
    """The records of one side of a join (every value of ``cols`` not NULL, every filter bit of ``need`` set), in
    uid order: (hashes of their values of ``cols``, uids). Runs without the interpreter's lock."""
    cdef int64_t n = bits.shape[0], m = 0, i
    with nogil:
        for i in range(n):
            m += takes(vals, bits, cols, need, i)
    hashes = np.empty(max(m, 1), dtype=np.uint32)
    uids = np.empty(max(m, 1), dtype=np.int32)
    cdef uint32_t[::1] h = hashes
    cdef int32_t[::1] u = uids
    with nogil:
        m = 0
        for i in range(n):
            if takes(vals, bits, cols, need, i):
                h[m] = key_hash(vals, cols, i)
                u[m] = <int32_t>i
                m += 1
    return hashes[:m], uids[:m]


def among(const uint32_t[::1] hashes, const int32_t[::1] uids, const uint32_t[::1] other):
    """The records (``hashes``, ``uids``) whose hash may be among ``other``'s: those of a hash ``other`` has, and a
    few more (a bitmap of ``other``'s hashes' top bits, 16 or more bits per hash of ``other``, at most 2**26 bits).
    The other side of a join with one small side need not be sorted whole."""
    cdef int64_t m = hashes.shape[0], k, i, kept = 0
    cdef int b = 12
    while b < 26 and (<int64_t>1 << b) < 16 * other.shape[0]:
        b += 1
    bitmap = np.zeros((<int64_t>1 << b) // 8, dtype=np.uint8)
    out_h = np.empty(max(m, 1), dtype=np.uint32)
    out_u = np.empty(max(m, 1), dtype=np.int32)
    cdef uint8_t[::1] bm = bitmap
    cdef uint32_t[::1] oh = out_h
    cdef int32_t[::1] ou = out_u
    cdef uint32_t x
    with nogil:
        for k in range(other.shape[0]):
            x = other[k] >> (32 - b)
            bm[x >> 3] |= <uint8_t>(1 << (x & 7))
        for i in range(m):
            x = hashes[i] >> (32 - b)
            if (bm[x >> 3] >> (x & 7)) & 1:
                oh[kept] = hashes[i]
                ou[kept] = uids[i]
                kept += 1
    return out_h[:kept], out_u[:kept]


def sorted_side(const int32_t[:, ::1] vals, const int32_t[::1] cols, uint32_t[::1] hashes, int32_t[::1] uids):
    """One side's records (``hashes``, ``uids`` of :func:`hashed`, in uid order) sorted by hash in place (in uid order
    within one hash): (hashes, uids, values: one row per column of ``cols``, in the same order)."""
    cdef int64_t m = hashes.shape[0], i, k, kk = cols.shape[0]
    if uids.shape[0] != m:
        raise ValueError("as many uids as hashes")
    scratch_h = np.empty(max(m, 1), dtype=np.uint32)
    scratch_u = np.empty(max(m, 1), dtype=np.int32)
    values = np.empty((kk, m), dtype=np.int32)
    cdef uint32_t[::1] h2 = scratch_h
    cdef int32_t[::1] u2 = scratch_u
    cdef int32_t[:, ::1] c = values
    with nogil:
        if m:
            radix_sort(&hashes[0], &uids[0], &h2[0], &u2[0], m)
        for k in range(kk):
            for i in range(m):
                c[k, i] = vals[cols[k], uids[i]]
    return np.asarray(hashes), np.asarray(uids), values


def side(const int32_t[:, ::1] vals, const uint32_t[::1] bits, const int32_t[::1] cols, uint32_t need):
    """The records of one side of a join (see :func:`hashed`) sorted by hash (:func:`sorted_side`)."""
    return sorted_side(vals, cols, *hashed(vals, bits, cols, need))


cdef inline bint keys_equal(const int32_t[:, ::1] a, int64_t p, const int32_t[:, ::1] b, int64_t q) noexcept nogil:
    cdef int64_t k
    for k in range(a.shape[0]):
        if a[k, p] != b[k, q]:
            return False
    return True


cdef inline bint any_of(const int32_t[:, ::1] vals, const uint32_t[::1] bits, const int32_t[:, ::1] parts,
                        uint32_t atoms, int64_t l, int64_t r) noexcept nogil:
    """Each OR of ``parts`` (rows: atom, kind, x, y, k; kind 0: filter bit x of l, 1: of r, 2: ``vals[x, l] =
    vals[y, r]``, 3: ``abs(vals[x, l] - vals[y, r]) <= k``; NULL meets none) holds for the pair (l, r)."""
    cdef uint32_t held = 0
    cdef int64_t p, v, w
    cdef int32_t kind
    for p in range(parts.shape[0]):
        kind = parts[p, 1]
        if kind == 0:
            if (bits[l] >> parts[p, 2]) & 1:
                held |= 1u << parts[p, 0]
        elif kind == 1:
            if (bits[r] >> parts[p, 2]) & 1:
                held |= 1u << parts[p, 0]
        else:
            v = vals[parts[p, 2], l]
            w = vals[parts[p, 3], r]
            if v == NULL_INT or w == NULL_INT:
                continue
            if (kind == 2 and v == w) or (kind == 3 and (v - w if v > w else w - v) <= parts[p, 4]):
                held |= 1u << parts[p, 0]
    return held == atoms


cdef int64_t walk(const uint32_t[::1] lh, const int32_t[::1] lu, const int32_t[:, ::1] lc,
                  const uint32_t[::1] rh, const int32_t[::1] ru, const int32_t[:, ::1] rc,
                  const int32_t[:, ::1] vals, const uint32_t[::1] bits, const int32_t[:, ::1] parts, uint32_t atoms,
                  bint same, bint both, int64_t[::1] out_a, int64_t[::1] out_b, bint fill) noexcept nogil:
    """The pairs of the join: counted (at most: every pair of one hash, ``fill`` false) or written to ``out_a``,
    ``out_b`` (their keys equal, their ORs held, ``l`` < ``r`` — or ``l`` ≠ ``r`` where ``both``, written as
    (least, greatest)); ``same``: one side (the l side is the r side), each two records of one hash once."""
    cdef int64_t i = 0, j = 0, ie, je, p, q, qs, n = 0, ml = lh.shape[0], mr = rh.shape[0]
    cdef int64_t l, r
    while i < ml and j < mr:
        if lh[i] < rh[j]:
            i += 1
            continue
        if lh[i] > rh[j]:
            j += 1
            continue
        ie = i
        while ie < ml and lh[ie] == lh[i]:
            ie += 1
        je = j
        while je < mr and rh[je] == rh[j]:
            je += 1
        if not fill:
            n += (ie - i) * (ie - i - 1) // 2 if same else (ie - i) * (je - j)
        else:
            for p in range(i, ie):
                qs = p + 1 if same else j
                for q in range(qs, je):
                    l, r = lu[p], ru[q]
                    if l == r or (not both and l > r) or not keys_equal(lc, p, rc, q):
                        continue
                    if atoms and not any_of(vals, bits, parts, atoms, l, r):
                        continue
                    out_a[n] = l if l < r else r
                    out_b[n] = r if l < r else l
                    n += 1
        i, j = ie, je
    return n


def pairs(const int32_t[:, ::1] vals, const uint32_t[::1] bits, const int32_t[::1] lcols, const int32_t[::1] rcols,
          uint32_t lneed, uint32_t rneed, const int32_t[:, ::1] parts, bint both, object buffer=None):
    """The pairs (a, b: uids, a < b) of one join (the work done without the interpreter's lock): records ``l`` and ``r`` whose values of ``lcols`` and ``rcols``
    are equal one by one (none NULL), ``l`` with every filter bit of ``lneed``, ``r`` of ``rneed``, every OR of
    ``parts`` held (rows of five: see :func:`any_of`), ``l`` < ``r`` — or, where ``both``, ``l`` ≠ ``r`` (a pair may then come
    twice, once each way round, as the join's SQL gives it). ``buffer``: two int64 arrays the pairs are written into
    (views of them returned) when they are long enough — pages already in memory, not new ones each join."""
    if lcols.shape[0] != rcols.shape[0] or lcols.shape[0] == 0:
        raise ValueError("a join needs as many keys on each side, one at least")
    if parts.shape[0] and (parts.shape[1] != 5 or int(np.asarray(parts)[:, 0].max()) > 31):
        raise ValueError("the ORs of a join: rows of five, 32 of them at most")
    cdef uint32_t atoms = 0
    cdef int64_t p
    for p in range(parts.shape[0]):
        atoms |= 1u << parts[p, 0]
    cdef bint same = not both and lneed == rneed and np.array_equal(lcols, rcols)
    if same:
        lh, lu, lc = side(vals, bits, lcols, lneed)
        rh, ru, rc = lh, lu, lc
    else:
        lh, lu = hashed(vals, bits, lcols, lneed)
        rh, ru = hashed(vals, bits, rcols, rneed)
        # (the larger side's records whose hash the smaller side lacks have no pair: dropped before the sort — a
        # join of 69,000 records with 1.4 M sorted all 1.4 M)
        if len(lh) < len(rh):
            rh, ru = among(rh, ru, lh)
        else:
            lh, lu = among(lh, lu, rh)
        lh, lu, lc = sorted_side(vals, lcols, lh, lu)
        rh, ru, rc = sorted_side(vals, rcols, rh, ru)
    cdef const uint32_t[::1] lhv = lh
    cdef const int32_t[::1] luv = lu
    cdef const int32_t[:, ::1] lcv = lc
    cdef const uint32_t[::1] rhv = rh
    cdef const int32_t[::1] ruv = ru
    cdef const int32_t[:, ::1] rcv = rc
    cdef int64_t[::1] none = np.empty(0, dtype=np.int64)
    cdef int64_t bound, n
    with nogil:
        bound = walk(lhv, luv, lcv, rhv, ruv, rcv, vals, bits, parts, atoms, same, both, none, none, False)
    if buffer is not None and len(buffer[0]) >= bound and len(buffer[1]) >= bound:
        a, b = buffer
    else:
        a = np.empty(bound, dtype=np.int64)
        b = np.empty(bound, dtype=np.int64)
    cdef int64_t[::1] av = a
    cdef int64_t[::1] bv = b
    with nogil:
        n = walk(lhv, luv, lcv, rhv, ruv, rcv, vals, bits, parts, atoms, same, both, av, bv, True)
    return a[:n], b[:n]
