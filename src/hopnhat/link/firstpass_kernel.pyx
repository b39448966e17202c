# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The compiled part of :mod:`hopnhat.link.firstpass`: each candidate pair's level of every comparison of the person
model (:data:`hopnhat.link.person_model.COMPARISONS`), read as DuckDB reads the model's SQL, and an upper bound of
its match weight.

Logic: SQL's three values are held as ``F = 0 < N = 1 < T = 2`` (``AND`` the least, ``OR`` the greatest, ``NOT``
``2 - x``); a level is a pair's when its condition is ``T``. Texts are UTF-8 bytes (DuckDB's edit distances count
bytes); texts only tested for equality are codes of one dictionary per column (-1: NULL).
"""

from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t
from libc.string cimport memcmp, memcpy, memset
from libc.math cimport INFINITY, log2
from libc.stdlib cimport abs as iabs

import numpy as np

from cython.parallel cimport prange

cdef extern from *:
    void prefetch "__builtin_prefetch"(const void*) noexcept nogil

cdef enum:
    F = 0
    N = 1
    T = 2
    NCOMP = 7
    MAXLEV = 12
    C_NAME = 0
    C_MIDDLE = 1
    C_BIRTH = 2
    C_SEX = 3
    C_ID = 4
    C_PHONE = 5
    C_ADDRESS = 6
    NULL_INT = -2147483647 - 1
    CMND_BORN_BEFORE = 2008
    FULL = 0xFFF
    AHEAD = 16
    CHUNK = 8192  # pairs a thread takes at a time
    DL_MAX = 64  # longer texts: DuckDB's distance computed on the first DL_MAX bytes is not it — see _dl

cdef enum:  # the texts of a record, in its slice of the text bytes
    X_GIV = 0
    X_FAM = 1
    X_MID = 2
    X_NS = 3
    X_CCCD = 4
    X_CMND = 5
    X_ADDR = 6
    X_CANDS = 7
    NTEXT = 8

cdef struct Rec:  # one record's fields in one place: a pair reads two records, two or three cache lines each
    double tf_fg
    double tf_mid
    int64_t text  # where its texts start in the text bytes
    int32_t fg, giv_acc, detail, old, phone, sex  # codes (-1: NULL)
    int32_t byear, bmonth, bday, dm, dob, cc_year  # NULL_INT: NULL
    int16_t len[NTEXT]  # bytes of each text (-1: NULL)
    int8_t vague, giv_real, acc_real, pad  # -1 NULL, 0 false, 1 true

cdef struct Recs:
    const Rec* rec
    const uint8_t* blob

cdef struct TV:  # a text: bytes and length (-1: NULL)
    const uint8_t* p
    int64_t n

cdef struct Model:
    int nlev[NCOMP]
    double w[NCOMP][MAXLEV]
    double wmax[NCOMP]  # the largest weight of the comparison, term-frequency adjustments at their largest
    int tf_level[NCOMP][MAXLEV]  # 1: the level has a tf adjustment (name: on fg, middle: on mid)
    double tf_w[NCOMP][MAXLEV]
    double tf_u[NCOMP][MAXLEV]
    double tf_min[NCOMP][MAXLEV]
    double rest[NCOMP][MAXLEV + 1]  # the largest weight of levels lev… (+inf where one has a tf adjustment)
    double prior


cdef inline int8_t AND(int8_t a, int8_t b) noexcept nogil:
    return a if a < b else b

cdef inline int8_t OR(int8_t a, int8_t b) noexcept nogil:
    return a if a > b else b

cdef inline int8_t NOT(int8_t a) noexcept nogil:
    return 2 - a

cdef inline int8_t B(bint x) noexcept nogil:
    return T if x else F

cdef inline int8_t BOOL(int8_t v) noexcept nogil:  # stored as -1 null, 0 false, 1 true
    return N if v < 0 else (T if v else F)

cdef inline TV text(const Recs* r, int c, int64_t i) noexcept nogil:
    cdef const Rec* x = &r.rec[i]
    cdef TV t
    cdef int k
    t.p = r.blob + x.text
    for k in range(c):
        if x.len[k] > 0:
            t.p += x.len[k]
    t.n = x.len[c]
    return t

cdef inline int8_t teq(TV a, TV b) noexcept nogil:
    """SQL ``a = b`` of two texts."""
    if a.n < 0 or b.n < 0:
        return N
    return B(a.n == b.n and memcmp(a.p, b.p, a.n) == 0)

cdef inline int8_t ceq(int32_t a, int32_t b) noexcept nogil:
    """SQL ``a = b`` of two integers (NULL_INT: null)."""
    if a == NULL_INT or b == NULL_INT:
        return N
    return B(a == b)

cdef inline int8_t codeq(int32_t a, int32_t b) noexcept nogil:
    """SQL ``a = b`` of two codes (-1: null)."""
    if a < 0 or b < 0:
        return N
    return B(a == b)

cdef int64_t chars(TV t) noexcept nogil:
    """Characters of UTF-8 text (DuckDB's ``length``)."""
    cdef int64_t k, c = 0
    for k in range(t.n):
        if (t.p[k] & 0xC0) != 0x80:
            c += 1
    return c

cdef int dl_bytes(const uint8_t* a, int64_t n, const uint8_t* b, int64_t m) noexcept nogil:
    """Damerau-Levenshtein distance with adjacent transpositions, unrestricted (Lowrance-Wagner), on bytes: DuckDB's
    ``damerau_levenshtein``. Texts longer than DL_MAX bytes: -1 (the caller takes every level possible)."""
    cdef int d[DL_MAX + 2][DL_MAX + 2]
    cdef int da[256]
    cdef int i, j, db, k, l, cost, best, v, maxd
    if n > DL_MAX or m > DL_MAX:
        return -1
    memset(da, 0, sizeof(da))
    maxd = <int>(n + m)
    d[0][0] = maxd
    for i in range(n + 1):
        d[i + 1][0] = maxd
        d[i + 1][1] = i
    for j in range(m + 1):
        d[0][j + 1] = maxd
        d[1][j + 1] = j
    for i in range(1, n + 1):
        db = 0
        for j in range(1, m + 1):
            k = da[b[j - 1]]
            l = db
            if a[i - 1] == b[j - 1]:
                cost = 0
                db = j
            else:
                cost = 1
            best = d[i][j] + cost
            v = d[i + 1][j] + 1
            if v < best:
                best = v
            v = d[i][j + 1] + 1
            if v < best:
                best = v
            v = d[k][l] + (i - k - 1) + 1 + (j - l - 1)
            if v < best:
                best = v
            d[i + 1][j + 1] = best
        da[a[i - 1]] = i
    return d[n + 1][m + 1]

cdef int dl_one(const uint8_t* a, int64_t n, const uint8_t* b, int64_t m) noexcept nogil:
    """The distance of two different texts where it is 1 (one substitution, insertion, deletion or transposition of
    neighbours), else 2 (two or more): linear."""
    cdef int64_t i = 0, t
    cdef const uint8_t* x
    if n == m:
        while i < n and a[i] == b[i]:
            i += 1
        if memcmp(a + i + 1, b + i + 1, n - i - 1) == 0:
            return 1
        if i + 1 < n and a[i] == b[i + 1] and a[i + 1] == b[i] and memcmp(a + i + 2, b + i + 2, n - i - 2) == 0:
            return 1
        return 2
    if n < m:  # a the longer
        x = a
        a = b
        b = x
        t = n
        n = m
        m = t
    if n - m != 1:
        return 2
    while i < m and a[i] == b[i]:
        i += 1
    return 1 if memcmp(a + i + 1, b + i, m - i) == 0 else 2

cdef int letters_apart(const uint8_t* a, int64_t n, const uint8_t* b, int64_t m) noexcept nogil:
    """A lower limit of the distance: the bytes of one text not matched in the other, the larger count (an edit
    changes the bytes by one in each direction at most, a transposition not at all)."""
    cdef int16_t count[256]
    cdef int64_t k
    cdef int more = 0, fewer = 0
    for k in range(n):
        count[a[k]] = 0
    for k in range(m):
        count[b[k]] = 0
    for k in range(n):
        count[a[k]] += 1
    for k in range(m):
        count[b[k]] -= 1
    for k in range(n):
        if count[a[k]] > 0:
            more += count[a[k]]
            count[a[k]] = 0
    for k in range(m):
        if count[b[k]] < 0:
            fewer -= count[b[k]]
            count[b[k]] = 0
    return more if more > fewer else fewer

cdef int dl_capped(const uint8_t* a, int64_t n, const uint8_t* b, int64_t m, int cap) noexcept nogil:
    """min(DL, cap + 1) of two texts, cap 1 or 2 (the model asks "<= 1", "= 1", "> 1" or "<= 2"): cheap limits first,
    the full distance only where they leave it open; -1 where the texts are too long for it."""
    cdef int64_t diff
    cdef int d
    if n == m and memcmp(a, b, n) == 0:
        return 0
    diff = n - m if n > m else m - n
    if diff > cap:  # each edit changes the length by one byte at most
        return cap + 1
    if cap == 1:
        return dl_one(a, n, b, m)
    if letters_apart(a, n, b, m) > cap:
        return cap + 1
    d = dl_bytes(a, n, b, m)
    if d < 0:
        return -1
    return cap + 1 if d > cap else d

cdef inline int dl_tv(TV a, TV b, int cap) noexcept nogil:
    """:func:`dl_capped` of two texts; -2 where either is null."""
    if a.n < 0 or b.n < 0:
        return -2
    return dl_capped(a.p, a.n, b.p, b.n, cap)

cdef inline int8_t dl_le(int d, int k) noexcept nogil:
    """``d <= k`` of a distance from dl_tv (null: N)."""
    if d < 0:
        return N
    return B(d <= k)

cdef inline int8_t dl_gt(int d, int k) noexcept nogil:
    if d < 0:
        return N
    return B(d > k)

cdef struct Pair:  # the two records of a pair, their texts, and its distances once computed (-3: not yet)
    const Rec* a
    const Rec* b
    TV ta[NTEXT]
    TV tb[NTEXT]
    int dl_ns, dl_giv, dl_fam

cdef inline void pair_init(const Recs* r, Pair* p, int64_t i, int64_t j) noexcept nogil:
    cdef int c
    cdef const uint8_t* x
    cdef const uint8_t* y
    p.a = &r.rec[i]
    p.b = &r.rec[j]
    x = r.blob + p.a.text
    y = r.blob + p.b.text
    for c in range(NTEXT):
        p.ta[c].p = x
        p.ta[c].n = p.a.len[c]
        if p.a.len[c] > 0:
            x += p.a.len[c]
        p.tb[c].p = y
        p.tb[c].n = p.b.len[c]
        if p.b.len[c] > 0:
            y += p.b.len[c]
    p.dl_ns = -3
    p.dl_giv = -3
    p.dl_fam = -3

cdef inline int8_t same(Pair* p, int c) noexcept nogil:
    return teq(p.ta[c], p.tb[c])

cdef inline int dl_ns(Pair* p) noexcept nogil:
    if p.dl_ns == -3:
        p.dl_ns = dl_tv(p.ta[X_NS], p.tb[X_NS], 2)
    return p.dl_ns

cdef inline int dl_giv(Pair* p) noexcept nogil:
    if p.dl_giv == -3:
        p.dl_giv = dl_tv(p.ta[X_GIV], p.tb[X_GIV], 1)
    return p.dl_giv

cdef inline int dl_fam(Pair* p) noexcept nogil:
    if p.dl_fam == -3:
        p.dl_fam = dl_tv(p.ta[X_FAM], p.tb[X_FAM], 1)
    return p.dl_fam

cdef inline uint8_t vchar(const uint8_t* h, int64_t hn, bint pad, uint8_t sep, int64_t q) noexcept nogil:
    if not pad:
        return h[q]
    return sep if q == 0 or q == hn + 1 else h[q - 1]

cdef bint contains_word(TV hay, TV word, uint8_t sep, bint pad) noexcept nogil:
    """``instr(H, sep || word || sep) > 0`` on non-null texts, ``H`` the text ``hay`` (``pad``: ``sep || hay ||
    sep``, person_model.within; else ``hay`` as it is: addr_cands carries its own ``;``)."""
    cdef int64_t vn, s, q
    cdef bint ok
    vn = hay.n + 2 if pad else hay.n
    for s in range(0, vn - (word.n + 2) + 1):
        if vchar(hay.p, hay.n, pad, sep, s) != sep or vchar(hay.p, hay.n, pad, sep, s + word.n + 1) != sep:
            continue
        ok = True
        for q in range(word.n):
            if vchar(hay.p, hay.n, pad, sep, s + 1 + q) != word.p[q]:
                ok = False
                break
        if ok:
            return True
    return False

cdef inline bint ends_with_word(TV a, TV b) noexcept nogil:
    """``a`` ends with ' ' || ``b`` (non-null texts): person_model.MIDDLE_ADDED, whose length test (in characters)
    follows from it."""
    if a.n < b.n + 1:
        return False
    return a.p[a.n - b.n - 1] == 32 and memcmp(a.p + a.n - b.n, b.p, b.n) == 0


# ---- the comparisons: each returns a bit mask of the levels the pair may be at (one bit where exact) ----

cdef inline int8_t both_real(Pair* p) noexcept nogil:
    """person_model._BOTH_REAL (never null)."""
    cdef int8_t v
    if p.a.giv_acc >= 0 and p.b.giv_acc >= 0:
        v = AND(BOOL(p.a.acc_real), BOOL(p.b.acc_real))
    else:
        v = AND(BOOL(p.a.giv_real), BOOL(p.b.giv_real))
    return F if v == N else v

cdef inline bint within(TV mid_a, TV fam_a, TV giv_a, TV ns_b) noexcept nogil:
    """person_model.within(a, b) is true."""
    if mid_a.n >= 0 or fam_a.n < 0 or giv_a.n < 0 or ns_b.n < 0:
        return False
    if teq(fam_a, giv_a) == T:
        return False
    return contains_word(ns_b, fam_a, 32, True) and contains_word(ns_b, giv_a, 32, True)

cdef int name_level(Pair* p, const Model* m, double need) noexcept nogil:
    """(``need``: the pair is dropped unless this comparison gives at least that weight; where no level from the next
    on can, the levels from the next on are returned without computing the edit distances that tell them apart)"""
    cdef int d
    cdef int8_t fg_eq
    if p.ta[X_GIV].n < 0 or p.tb[X_GIV].n < 0:
        return 1 << 0
    fg_eq = codeq(p.a.fg, p.b.fg)
    if fg_eq == T and codeq(p.a.giv_acc, p.b.giv_acc) == T:
        return 1 << 1
    if fg_eq == T:
        return 1 << 2
    if same(p, X_NS) == T:
        return 1 << 3
    if m.rest[C_NAME][4] < need:
        return FULL & ~0x0F
    if same(p, X_FAM) == T:
        d = dl_giv(p)
        if d == -1:
            return FULL & ~0x0F  # unknown: any level from 4 on
        if d <= 1:
            return 1 << 4 if both_real(p) == F else 1 << 5
    if m.rest[C_NAME][6] < need:
        return FULL & ~0x3F
    if same(p, X_GIV) == T:
        d = dl_fam(p)
        if d == -1:
            return FULL & ~0x3F
        if d >= 0 and d <= 1:
            return 1 << 6
    if m.rest[C_NAME][7] < need:
        return FULL & ~0x7F
    d = dl_ns(p)
    if d == -1:
        return FULL & ~0x7F
    if d >= 0 and d <= 2:
        return 1 << 7
    if within(p.ta[X_MID], p.ta[X_FAM], p.ta[X_GIV], p.tb[X_NS]) \
            or within(p.tb[X_MID], p.tb[X_FAM], p.tb[X_GIV], p.ta[X_NS]):
        return 1 << 8
    return 1 << 9

cdef int middle_level(Pair* p, const Model* m, double need) noexcept nogil:
    cdef int8_t c, cs, fg_eq, fam_eq
    cdef int d, other
    if p.ta[X_MID].n < 0 or p.tb[X_MID].n < 0:
        return 1 << 0
    # the level the pair is at unless the first ("missing": edit distances) holds
    if same(p, X_MID) == T:
        other = 1
    elif ends_with_word(p.ta[X_MID], p.tb[X_MID]) or ends_with_word(p.tb[X_MID], p.ta[X_MID]):
        other = 2
    else:
        other = 3
    if other != 1 and m.w[C_MIDDLE][0] < need and m.w[C_MIDDLE][other] < need:
        return (1 << 0) | (1 << other)
    fg_eq = codeq(p.a.fg, p.b.fg)
    c = AND(same(p, X_NS), NOT(fg_eq))
    if c != T:
        if fg_eq == T:
            cs = F
        else:
            fam_eq = same(p, X_FAM)
            if dl_ns(p) == -1:
                return FULL
            cs = dl_le(p.dl_ns, 2)
            if fam_eq == T or same(p, X_GIV) == T:
                if cs == T:
                    d = dl_giv(p) if fam_eq == T else dl_fam(p)
                    if d == -1:
                        return FULL
                    cs = dl_gt(d, 1)
                else:
                    cs = F
        c = OR(c, cs)
    if c == T:
        return 1 << 0
    return 1 << other

cdef int birth_level(Pair* p) noexcept nogil:
    cdef const Rec* a = p.a
    cdef const Rec* b = p.b
    cdef int32_t diff, m
    if a.byear == NULL_INT or b.byear == NULL_INT:
        return 1 << 0
    if ceq(a.dob, b.dob) == T:
        return 1 << 1
    if a.byear == b.byear:
        if ceq(a.bmonth, b.bday) == T and ceq(a.bday, b.bmonth) == T:
            return 1 << 2
        if OR(BOOL(a.vague), BOOL(b.vague)) == T:
            return 1 << 3
        return 1 << 4
    diff = a.byear - b.byear if a.byear > b.byear else b.byear - a.byear
    if diff == 1:
        m = a.bmonth if a.bmonth != NULL_INT else b.bmonth
        if m != NULL_INT and m <= 2 and (a.dm == NULL_INT or b.dm == NULL_INT or a.dm == b.dm):
            return 1 << 5
        if a.bmonth == NULL_INT and b.bmonth == NULL_INT:
            return 1 << 6
        return 1 << 7
    return 1 << 8

cdef int sex_level(Pair* p) noexcept nogil:
    if p.a.sex < 0 or p.b.sex < 0:
        return 1 << 0
    if p.a.sex == p.b.sex:
        return 1 << 1
    return 1 << 2

cdef inline int8_t cross_side(const Rec* a, TV cccd_a, TV cmnd_a, const Rec* b, TV cccd_b, TV cmnd_b) noexcept nogil:
    """The two halves of person_model._CROSS_CONTRADICTS that read record ``a``'s number against ``b``."""
    cdef int8_t x = F, y = F
    if cccd_a.n >= 0 and cccd_b.n < 0 and a.cc_year != NULL_INT:
        if b.byear == NULL_INT:
            x = N
        else:
            x = B(iabs(a.cc_year - b.byear) > 1)
    if cmnd_a.n >= 0 and cmnd_b.n < 0 and chars(cmnd_a) == 9:
        if b.byear == NULL_INT:
            y = N
        elif b.byear >= CMND_BORN_BEFORE:
            y = B((a.byear if a.byear != NULL_INT else 0) < CMND_BORN_BEFORE)
    return OR(x, y)

cdef int id_level(Pair* p) noexcept nogil:
    cdef TV ca = p.ta[X_CCCD], cb = p.tb[X_CCCD], ma = p.ta[X_CMND], mb = p.tb[X_CMND]
    cdef int8_t cc = OR(cross_side(p.a, ca, ma, p.b, cb, mb), cross_side(p.b, cb, mb, p.a, ca, ma))
    cdef int d, dm
    cdef bint years
    if (ca.n < 0 or cb.n < 0) and (ma.n < 0 or mb.n < 0) and cc != T:
        return 1 << 0
    if teq(ca, cb) == T or teq(ma, mb) == T:
        return 1 << 1
    d = dl_tv(ca, cb, 1)
    dm = dl_tv(ma, mb, 1)
    if d == -1 or dm == -1:
        return FULL & ~0x3
    if dm == 1:
        return 1 << 2
    years = p.a.cc_year != NULL_INT and p.b.cc_year != NULL_INT
    if d == 1:
        # one slip apart: SLIP_OTHER_PERSON (the records of two people; it needs both CCCD years) is not read here
        return (1 << 2) | (1 << 3) if years else 1 << 2
    if d > 1:  # (the CCCDs differ)
        return 1 << 3 if years else 1 << 4
    if cc == T:
        return 1 << 5
    return 1 << 6

cdef int phone_level(Pair* p) noexcept nogil:
    cdef int8_t ga, years
    if p.a.phone < 0 or p.b.phone < 0:
        return 1 << 0
    if p.a.phone != p.b.phone:
        return 1 << 3
    ga = OR(same(p, X_GIV), same(p, X_NS))
    if ga != T:
        if dl_giv(p) == -1:
            return 0x6
        ga = OR(ga, dl_le(p.dl_giv, 1))
    if p.a.byear == NULL_INT or p.b.byear == NULL_INT:
        years = N
    else:
        years = B(iabs(p.a.byear - p.b.byear) <= 1)
    if years == N:
        years = T  # coalesce(abs(...) <= 1, true)
    if AND(ga, years) != F:  # coalesce(_GIVEN_AGREES, true)
        return 1 << 1
    return 1 << 2

cdef int address_level(Pair* p) noexcept nogil:
    cdef TV aa = p.ta[X_ADDR], ab = p.tb[X_ADDR], na = p.ta[X_CANDS], nb = p.tb[X_CANDS]
    if (aa.n < 0 and na.n < 0) or (ab.n < 0 and nb.n < 0):
        return 1 << 0
    if teq(aa, ab) == T:
        if codeq(p.a.detail, p.b.detail) == T and codeq(p.a.old, p.b.old) != F:
            return 1 << 1
        return 1 << 2
    if na.n >= 0 and ab.n >= 0 and contains_word(na, ab, 59, False):
        return 1 << 3
    if nb.n >= 0 and aa.n >= 0 and contains_word(nb, aa, 59, False):
        return 1 << 3
    if teq(na, nb) == T:
        return 1 << 3
    return 1 << 4


cdef inline double tf_adj(const Model* m, int c, int lev, double a, double b) noexcept nogil:
    """Splink's term-frequency adjustment of level ``lev`` (ComparisonLevel._tf_adjustment_sql); NaN: null."""
    cdef double v
    if a != a and b != b:
        return 0.0
    if a != a:
        a = b
    if b != b:
        b = a
    v = a if a > b else b
    if m.tf_min[c][lev] > v:
        v = m.tf_min[c][lev]
    return m.tf_w[c][lev] * (m.tf_u[c][lev] - log2(v))

cdef double mask_weight(const Model* m, Pair* p, int c, int mask) noexcept nogil:
    """The largest weight of the levels in ``mask``."""
    cdef double best = -1e300, w
    cdef int lev
    for lev in range(m.nlev[c]):
        if mask & (1 << lev):
            w = m.w[c][lev]
            if m.tf_level[c][lev]:
                if c == C_NAME:
                    w += tf_adj(m, c, lev, p.a.tf_fg, p.b.tf_fg)
                else:
                    w += tf_adj(m, c, lev, p.a.tf_mid, p.b.tf_mid)
            if w > best:
                best = w
    return best

cdef int level_of(Pair* p, int c, const Model* m, double need) noexcept nogil:
    if c == C_NAME:
        return name_level(p, m, need)
    if c == C_MIDDLE:
        return middle_level(p, m, need)
    if c == C_BIRTH:
        return birth_level(p)
    if c == C_SEX:
        return sex_level(p)
    if c == C_ID:
        return id_level(p)
    if c == C_PHONE:
        return phone_level(p)
    return address_level(p)

# the cheap comparisons first, those that drop most pairs soonest: a pair is dropped as soon as the rest cannot lift
# it to the floor (1 M blind, 13.5 M pairs, dev under load ~10: 3.1-3.2 CPU-s in this order, 3.4-3.9 with the birth
# date, sex and address first, 4.9-5.0 with the name first or second)
cdef int ORDER[NCOMP]
ORDER[:] = [C_ID, C_ADDRESS, C_BIRTH, C_SEX, C_PHONE, C_NAME, C_MIDDLE]

REC = np.dtype([("tf_fg", "f8"), ("tf_mid", "f8"), ("text", "i8")]
               + [(c, "i4") for c in ("fg", "giv_acc", "addr_detail", "addr_old", "phone", "sex", "byear", "bmonth",
                                      "bday", "dm", "dob", "cc_year")]
               + [("len", "i2", (NTEXT,))] + [(c, "i1") for c in ("vague", "giv_real", "giv_acc_real", "pad")],
               align=True)
TEXTS = ("giv", "fam", "mid", "name_sorted", "cccd", "cmnd", "addr", "addr_cands")  # X_* order


cdef class Kernel:
    """The records (row i = uid i) as :data:`REC` rows beside their texts' bytes, and the trained model's
    weights."""

    cdef Recs r
    cdef Model m
    cdef object recs, blob

    def __init__(self, object recs, dict texts, object model, int threads=1):
        """``recs``: the records as :data:`REC` rows (their ``text`` and ``len`` filled here from ``texts``: each
        text column's (int64 offsets, bytes, valid), on ``threads`` threads); ``model``: see :meth:`_model`."""
        if sizeof(Rec) != REC.itemsize or recs.dtype != REC:
            raise RuntimeError("the kernel's record layout is not numpy's")
        n = len(recs)
        self.recs = recs
        self.blob = self._pack([texts[c] for c in TEXTS], n, threads)
        cdef const uint8_t[::1] b = self.blob
        cdef Rec[::1] rv = self.recs
        self.r.rec = &rv[0] if n else NULL
        self.r.blob = &b[0]
        self._model(model)

    def _pack(self, list columns, int64_t n, int threads=1):
        """Each record's texts one after the other; their lengths and start into the records (the lengths, then
        the copies, on ``threads`` threads; the starts in between, in record order)."""
        cdef Rec[::1] rv = self.recs
        cdef const int64_t* off[NTEXT]
        cdef const uint8_t* data[NTEXT]
        cdef const uint8_t* valid[NTEXT]
        cdef const int64_t[::1] o
        cdef const uint8_t[::1] d
        cdef const uint8_t[::1] v
        cdef int64_t i, pos = 0, size = 1, length, too_long = 0, at
        cdef int c
        cdef uint8_t[::1] out
        keep = []
        for c in range(NTEXT):
            o, d, v = columns[c]
            keep.append((o, d, v))
            if o.shape[0] != n + 1 or v.shape[0] != n:
                raise ValueError("a text column of another length")
            off[c] = &o[0]
            data[c] = &d[0] if d.shape[0] else NULL
            valid[c] = &v[0] if n else NULL
            size += o[n] - o[0]
        blob = np.zeros(size, dtype=np.uint8)
        out = blob
        with nogil:
            for i in prange(n, num_threads=max(threads, 1), schedule="static"):
                for c in range(NTEXT):
                    if not valid[c][i]:
                        rv[i].len[c] = -1
                        continue
                    length = off[c][i + 1] - off[c][i]
                    if length > 32767:
                        too_long += 1
                        length = 32767
                    rv[i].len[c] = <int16_t>length
        if too_long:
            raise ValueError("a text of more than 32767 bytes")
        for i in range(n):
            rv[i].text = pos
            for c in range(NTEXT):
                if rv[i].len[c] > 0:
                    pos += rv[i].len[c]
        with nogil:
            for i in prange(n, num_threads=max(threads, 1), schedule="static"):
                at = rv[i].text
                for c in range(NTEXT):
                    if rv[i].len[c] > 0:
                        memcpy(&out[at], data[c] + off[c][i], rv[i].len[c])
                        at = at + rv[i].len[c]  # (not +=: Cython would read a reduction)
        return blob

    cdef void _model(self, object model):
        """``model``: (prior weight, [[(weight, tf weight or 0, tf u log2, tf min u), …] per comparison])."""
        prior, comps = model
        self.m.prior = prior
        for c in range(NCOMP):
            levels = comps[c]
            if len(levels) > MAXLEV:
                raise ValueError("more levels than the kernel holds")
            self.m.nlev[c] = len(levels)
            self.m.rest[c][len(levels)] = -INFINITY
            for lev in range(len(levels) - 1, -1, -1):
                w, tfw, tfu, tfmin = levels[lev]
                self.m.rest[c][lev] = INFINITY if tfw else max(w, self.m.rest[c][lev + 1])
                self.m.w[c][lev] = w
                self.m.tf_level[c][lev] = 1 if tfw else 0
                self.m.tf_w[c][lev] = tfw
                self.m.tf_u[c][lev] = tfu
                self.m.tf_min[c][lev] = tfmin

    def size(self):
        """The number of records (uids 0 … size - 1)."""
        return len(self.recs)

    def records(self):
        """The records' :data:`REC` rows (row i: uid i)."""
        return self.recs

    def set_max(self, list wmax):
        for c in range(NCOMP):
            self.m.wmax[c] = wmax[c]

    def _check(self, const int64_t[::1] left, const int64_t[::1] right):
        n = len(self.recs)
        if left.shape[0] != right.shape[0]:
            raise ValueError("pairs of two lengths")
        if left.shape[0] and (min(np.min(left), np.min(right)) < 0 or max(np.max(left), np.max(right)) >= n):
            raise ValueError("a pair's uid is not a record's")

    def levels(self, const int64_t[::1] left, const int64_t[::1] right):
        """Each pair's level mask of every comparison (pairs × 7, bit k: the k-th level of comparison_levels) and
        the upper bound of its weight."""
        self._check(left, right)
        cdef int64_t n = left.shape[0], k
        out = np.zeros((n, NCOMP), dtype=np.int32)
        bound = np.zeros(n, dtype=np.float64)
        cdef int32_t[:, ::1] o = out
        cdef double[::1] b = bound
        cdef Pair p
        cdef int c
        cdef double w
        for k in range(n):
            pair_init(&self.r, &p, left[k], right[k])
            w = self.m.prior
            for c in range(NCOMP):
                o[k, c] = level_of(&p, c, &self.m, -INFINITY)
                w += mask_weight(&self.m, &p, c, o[k, c])
            b[k] = w
        return out, bound

    def keep_mask(self, const int64_t[::1] left, const int64_t[::1] right, double floor, int threads=1):
        """True for each pair whose weight bound reaches ``floor`` (:func:`reaches`), on ``threads`` threads."""
        self._check(left, right)
        cdef int64_t n = left.shape[0], k
        mask = np.zeros(n, dtype=np.bool_)
        cdef uint8_t[::1] out = mask.view(np.uint8)
        cdef const Recs* r = &self.r
        cdef const Model* m = &self.m
        # (dynamic: a thread slowed by another on its core — the blocking joins' own, link/firstpass.py — takes fewer
        # chunks instead of making the other wait at the end)
        with nogil:
            for k in prange(n, num_threads=max(threads, 1), schedule="dynamic", chunksize=CHUNK):
                if k + AHEAD < n:  # the records of the pairs a few steps on: their memory is read meanwhile
                    prefetch(&r.rec[left[k + AHEAD]])
                    prefetch(<const char*>&r.rec[left[k + AHEAD]] + 64)
                    prefetch(&r.rec[right[k + AHEAD]])
                    prefetch(<const char*>&r.rec[right[k + AHEAD]] + 64)
                if k + AHEAD // 2 < n:
                    prefetch(r.blob + r.rec[left[k + AHEAD // 2]].text)
                    prefetch(r.blob + r.rec[right[k + AHEAD // 2]].text)
                out[k] = reaches(r, m, left[k], right[k], floor)
        return mask


cdef bint reaches(const Recs* r, const Model* m, int64_t i, int64_t j, double floor) noexcept nogil:
    """The weight bound of pair (i, j) reaches ``floor``: the comparisons read cheapest first (:data:`ORDER`), the
    pair dropped as soon as the others' largest weights cannot lift it to the floor."""
    cdef Pair p
    cdef int c, q
    cdef double w = m.prior, rest = 0.0
    for q in range(NCOMP):
        rest += m.wmax[q]
    pair_init(r, &p, i, j)
    for q in range(NCOMP):
        c = ORDER[q]
        rest -= m.wmax[c]
        w += mask_weight(m, &p, c, level_of(&p, c, m, floor - w - rest))
        if w + rest < floor:
            return False
    return True


def dl(bytes a, bytes b, int cap=0):
    """The kernel's Damerau-Levenshtein distance of two byte strings (tests); with ``cap`` (1 or 2), capped at
    ``cap + 1`` the way the comparisons read it."""
    if cap:
        return dl_capped(<const uint8_t*>a, len(a), <const uint8_t*>b, len(b), cap)
    return dl_bytes(<const uint8_t*>a, len(a), <const uint8_t*>b, len(b))



def level_masks(Kernel kernel, const int64_t[::1] left, const int64_t[::1] right, int threads=1):
    """Each pair's level mask of every comparison (pairs × 7, as :meth:`Kernel.levels`) without its weight bound, on
    ``threads`` threads (training's counts of levels: :mod:`hopnhat.link.kernelcounts`)."""
    kernel._check(left, right)
    cdef int64_t n = left.shape[0], k
    out = np.zeros((n, NCOMP), dtype=np.int32)
    cdef int32_t[:, ::1] o = out
    cdef const Recs* r = &kernel.r
    cdef const Model* m = &kernel.m
    with nogil:
        for k in prange(n, num_threads=max(threads, 1), schedule="static", chunksize=CHUNK):
            masks_of(r, m, left[k], right[k], &o[k, 0])
    return out


cdef void masks_of(const Recs* r, const Model* m, int64_t i, int64_t j, int32_t* row) noexcept nogil:
    """Pair (i, j)'s level mask of every comparison into ``row``."""
    cdef Pair p
    cdef int c
    pair_init(r, &p, i, j)
    for c in range(NCOMP):
        row[c] = level_of(&p, c, m, -INFINITY)


def reweigh(Kernel kernel, object model):
    """``kernel`` with another model's weights (see :meth:`Kernel._model`); the records are kept (a kernel built for
    training's counts, handed to scoring's first pass)."""
    kernel._model(model)
