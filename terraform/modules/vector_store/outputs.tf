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
