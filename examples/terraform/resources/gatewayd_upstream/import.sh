# By id or by name:
terraform import gatewayd_upstream.orders orders.internal
