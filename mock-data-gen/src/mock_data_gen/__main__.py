from mock_data_gen.cli import main

raise SystemExit(main())
