# A node that already has a cluster identity, by its host (clusterid,
# mapr-clusters.conf and warden.conf are read):
terraform import mapr_cluster.node1 node1.example.com
