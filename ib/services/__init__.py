"""The IB app's writes, one module per use case group (`plans`, and the network's modules)."""
