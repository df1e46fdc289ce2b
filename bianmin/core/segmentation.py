"""jieba, loaded once and only when a context first segments Chinese text (its dictionary and
part-of-speech tables take a second or more; no process should pay that at start-up)."""

import logging
import threading
import warnings
from types import ModuleType

_lock = threading.Lock()
_jieba: ModuleType | None = None
_posseg: ModuleType | None = None


def jieba() -> ModuleType:
    """The initialised jieba module (default dictionary, quiet logging)."""
    global _jieba
    with _lock:
        if _jieba is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # jieba 0.42: pkg_resources, old regex escapes
                import jieba as module

            module.setLogLevel(logging.WARNING)
            module.initialize()
            _jieba = module
        return _jieba


def posseg() -> ModuleType:
    """jieba's part-of-speech tagger (for spotting person names)."""
    global _posseg
    jieba()
    with _lock:
        if _posseg is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import jieba.posseg as module

            _posseg = module
        return _posseg
