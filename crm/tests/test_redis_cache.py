"""The Redis cache keeps one client per connection pool (building one costs ~0.1 ms per cache call)."""

from crm.redis_cache import ReusedClientRedisCache


def test_one_client_per_pool_reads_and_writes_alike():
    backend = ReusedClientRedisCache("redis://127.0.0.1:6379/12", {})

    writer = backend._cache.get_client("a", write=True)

    assert backend._cache.get_client("b", write=True) is writer
    assert backend._cache.get_client("c") is writer  # one server: reads use the same pool
    assert writer.connection_pool is backend._cache._get_connection_pool(True)


def test_each_server_of_several_has_its_own_client():
    backend = ReusedClientRedisCache(["redis://127.0.0.1:6379/12", "redis://127.0.0.1:6379/13"], {})

    writer = backend._cache.get_client(write=True)
    reader = backend._cache.get_client()  # two servers: reads go to the second

    assert backend._cache.get_client() is reader
    assert reader is not writer
    assert (writer.connection_pool.connection_kwargs["db"], reader.connection_pool.connection_kwargs["db"]) == (12, 13)
