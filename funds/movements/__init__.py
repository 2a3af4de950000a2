"""What every money movement of a client shares: deposits, withdrawals and transfers today, IB payouts
and Open API withdrawals next.

- `models`: the abstract event (a step from one status to another, by whom, why) and its fields;
- `services`: order numbers, recording a transition with its event and audit row, telling the client;
- `exports`: CSV / Excel downloads of a queue, streamed (openpyxl write-only);
- `admin`: the back-office queue (`MovementQueueAdmin`: decisions through the services, exports).

It imports nothing from the movements themselves, so each of them (and whatever comes next) can
build on it without an import going the wrong way.
"""
