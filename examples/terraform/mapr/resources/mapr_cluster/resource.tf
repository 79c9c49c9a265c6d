# The first CLDB node of a new secure cluster: it generates the cluster's
# keys. Applying this again changes nothing; changing the name or the nodes
# later is refused unless force_regenerate = true.
resource "mapr_cluster" "node1" {
  cluster_name = "demo.mapr.example.com"
  cldb_nodes   = ["node1.example.com"]
  zk_nodes     = ["node1.example.com", "node2.example.com", "node3.example.com"]
  secure       = true
  genkeys      = true
  extra_args   = ["-u", "mapr", "-g", "mapr"]
}

# HPE issues licenses for this id.
output "cluster_id" {
  value = mapr_cluster.node1.cluster_id
}
