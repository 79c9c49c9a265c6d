# <upstream>/<target>: the upstream's id or name, then the target's id or
# host:port (targets are unique only within their upstream).
terraform import gatewayd_target.orders_a orders.internal/10.0.1.10:8080
