"""Imported last by the forkserver of the multiprocess executor, once the asset modules are
loaded: step processes forked from it collect garbage as `kac` does (pipeline.runtime)."""

from pipeline.core.runtime import settle_heap

settle_heap()
