"""A task for tests of `serve --workers N` (installed only with BIANMIN_TEST_SERVED_TASKS=1):
it records in the shared cache how often it ran for a token, and in which process."""
