from tests.support.sms_fakes.cli import main

raise SystemExit(main())
