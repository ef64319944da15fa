"""Numba kernels: validated, contiguous input in, arrays out; no checks, no raising.

Every kernel has a plain NumPy twin of the same name in ``tests/naive/``.
Settings shared by all kernels are in :mod:`classical._kernels.config`.
"""
