from tests.support.traffic_fake.cli import main

raise SystemExit(main())
