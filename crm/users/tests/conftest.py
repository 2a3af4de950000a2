from crm.verification.tests.conftest import english, security, stub, tencent  # noqa: F401 (fixtures)
