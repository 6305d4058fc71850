from alembic import context
from enrollment.config import Settings
from enrollment.db import metadata
from medshared.db import make_engine

url = context.config.attributes.get("database_url") or Settings().database_url


def run() -> None:
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
