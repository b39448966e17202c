"""Types of the compiled first-pass kernel (firstpass_kernel.pyx)."""

from typing import Any

import numpy as np
import numpy.typing as npt

REC: np.dtype[Any]

class Kernel:
    def __init__(self, recs: np.ndarray, texts: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
                 model: Any) -> None: ...
    def size(self) -> int: ...
    def set_max(self, wmax: list[float]) -> None: ...
    def levels(self, left: npt.NDArray[np.int64],
               right: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]: ...
    def keep_mask(self, left: npt.NDArray[np.int64], right: npt.NDArray[np.int64],
                  floor: float, threads: int = 1) -> npt.NDArray[np.bool_]: ...

def dl(a: bytes, b: bytes, cap: int = 0) -> int: ...
