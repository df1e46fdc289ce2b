from tests.support.id_reader_fake.cli import main

raise SystemExit(main())
