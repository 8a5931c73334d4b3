from iceberg_sink.cli import main

raise SystemExit(main())
