"""Scale-out mode: arq jobs on Redis and N `newsdigest worker` processes over one PostgreSQL store."""
