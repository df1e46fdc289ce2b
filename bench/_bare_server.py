"""Serve bench._bare_settings' one view with the product's uvicorn settings (see there).

`--handler django` (the default) serves it with Django's stock ASGI handler, the bare view of
issue 18's targets; `--handler product` with the product's own (`OneHopASGIHandler`: one hop to
a fixed request thread that lives as long as the process), so an empty request's cost on the
product's serving stack is measured too."""

import argparse
import os
import sys

from bench._common import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench._bare_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--handler", choices=["django", "product"], default="django")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench._bare_settings"
    sys.path.insert(0, str(ROOT))
    import django
    import uvicorn

    django.setup(set_prefix=False)
    from django.core.handlers.asgi import ASGIHandler

    from bianmin.core.asgi_handler import OneHopASGIHandler
    from bianmin.core.heap import settle_for_serving
    from bianmin.core.management.commands.serve import uvicorn_config

    handler = OneHopASGIHandler() if args.handler == "product" else ASGIHandler()
    config = uvicorn_config(handler, host="127.0.0.1", port=args.port)
    settle_for_serving()  # as config/asgi.py does for the product
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
