import threading
from collections.abc import Callable
from typing import Any

from django.db import connection, connections


def run_in_threads(function: Callable[[int], Any], count: int = 10) -> tuple[list[Any], list[BaseException]]:
    """`function(i)` in `count` threads released at the same moment, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            barrier.wait()
            results.append(function(index))
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def raw_operation_row(operation_id: int) -> str:
    """Every column of the operation's row as the database holds it, as one text (to look for secrets in)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM platforms_platformoperation WHERE id = %s", [operation_id])
        return repr(cursor.fetchone())
