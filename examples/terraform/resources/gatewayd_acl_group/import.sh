# <consumer>/<group>: group names are unique only within a consumer.
terraform import gatewayd_acl_group.alice_admins alice/admins
