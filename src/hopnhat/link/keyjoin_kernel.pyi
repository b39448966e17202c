"""Types of the compiled blocking joins on keys (keyjoin_kernel.pyx)."""

import numpy as np
import numpy.typing as npt

def hashed(vals: npt.NDArray[np.int32], bits: npt.NDArray[np.uint32], cols: npt.NDArray[np.int32],
           need: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32]]: ...
def among(hashes: npt.NDArray[np.uint32], uids: npt.NDArray[np.int32],
          other: npt.NDArray[np.uint32]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32]]: ...
def sorted_side(vals: npt.NDArray[np.int32], cols: npt.NDArray[np.int32], hashes: npt.NDArray[np.uint32],
                uids: npt.NDArray[np.int32]) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32],
                                                      npt.NDArray[np.int32]]: ...
def side(vals: npt.NDArray[np.int32], bits: npt.NDArray[np.uint32], cols: npt.NDArray[np.int32],
         need: int) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int32], npt.NDArray[np.int32]]: ...
def pairs(vals: npt.NDArray[np.int32], bits: npt.NDArray[np.uint32], lcols: npt.NDArray[np.int32],
          rcols: npt.NDArray[np.int32], lneed: int, rneed: int, parts: npt.NDArray[np.int32],
          both: bool, buffer: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
          ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
