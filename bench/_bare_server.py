"""Serve bench._bare_settings' one view with the product's uvicorn settings (see there)."""

import argparse
import os
import sys

from bench._common import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench._bare_server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench._bare_settings"
    sys.path.insert(0, str(ROOT))
    import django
    import uvicorn
    from django.core.asgi import get_asgi_application

    django.setup()
    from bianmin.core.heap import settle_for_serving
    from bianmin.core.management.commands.serve import uvicorn_config

    config = uvicorn_config(get_asgi_application(), host="127.0.0.1", port=args.port)
    settle_for_serving()  # as config/asgi.py does for the product
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
