"""Fakes and harnesses for outside services (loopback SMS provider servers, process
harnesses). Used by the tests and by bench/; never imported by bianmin/."""
