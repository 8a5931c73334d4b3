"""The lakehouse side: the Iceberg table of bid requests and the setup of topic, bucket and table.

Needs the ``lakehouse`` extra (pyiceberg, boto3): ``pip install 'mock-data-gen[lakehouse]'``.
"""
