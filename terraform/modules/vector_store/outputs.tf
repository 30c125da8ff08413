output "collection_name" {
  description = "Name of the collection."
  value       = aws_opensearchserverless_collection.this.name
}

output "collection_arn" {
  description = "ARN of the collection."
  value       = aws_opensearchserverless_collection.this.arn
}

output "collection_id" {
  description = "ID of the collection."
  value       = aws_opensearchserverless_collection.this.id
}

output "collection_endpoint" {
  description = "HTTPS endpoint of the collection's OpenSearch API."
  value       = aws_opensearchserverless_collection.this.collection_endpoint
}

output "collection_type" {
  description = "Type of the collection (VECTORSEARCH)."
  value       = aws_opensearchserverless_collection.this.type
}

output "vpc_endpoint_id" {
  description = "ID of the OpenSearch Serverless VPC endpoint the module created (null when vpc_endpoint is null)."
  value       = one(aws_opensearchserverless_vpc_endpoint.this[*].id)
}

output "vpc_endpoint_security_group_id" {
  description = "ID of the VPC endpoint's security group (null when vpc_endpoint is null)."
  value       = one(aws_security_group.vpc_endpoint[*].id)
}

output "network_policy" {
  description = "The network policy as applied: who reaches the collection and its Dashboards."
  value       = jsondecode(aws_opensearchserverless_security_policy.network.policy)
}
