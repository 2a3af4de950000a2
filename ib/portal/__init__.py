"""The IB portal: server-rendered pages for introducing brokers, beside the client portal."""
