locals {
  collection = "collection/${var.collection_name}"
}

resource "aws_opensearchserverless_security_policy" "encryption" {
  name = "${var.collection_name}-enc"
  type = "encryption"
  policy = jsonencode(merge(
    { Rules = [{ ResourceType = "collection", Resource = [local.collection] }] },
    var.kms_key_arn == null ? { AWSOwnedKey = true } : { KmsARN = var.kms_key_arn },
  ))
}

resource "aws_opensearchserverless_security_policy" "network" {
  name = "${var.collection_name}-net"
  type = "network"
  policy = jsonencode([merge(
    {
      Rules = [
        { ResourceType = "collection", Resource = [local.collection] },
        { ResourceType = "dashboard", Resource = [local.collection] },
      ]
      AllowFromPublic = var.network_access.public
    },
    length(var.network_access.vpc_endpoint_ids) > 0 ? { SourceVPCEs = var.network_access.vpc_endpoint_ids } : {},
  )])
}

resource "aws_opensearchserverless_collection" "this" {
  name             = var.collection_name
  type             = var.collection_type
  standby_replicas = var.standby_replicas ? "ENABLED" : "DISABLED"
  tags             = var.tags

  depends_on = [
    aws_opensearchserverless_security_policy.encryption,
    aws_opensearchserverless_security_policy.network,
  ]
}

resource "aws_opensearchserverless_access_policy" "agent" {
  name = "${var.collection_name}-agent"
  type = "data"
  policy = jsonencode([{
    Rules = [
      {
        ResourceType = "collection"
        Resource     = [local.collection]
        Permission   = ["aoss:DescribeCollectionItems", "aoss:CreateCollectionItems", "aoss:UpdateCollectionItems"]
      },
      {
        ResourceType = "index"
        Resource     = ["index/${var.collection_name}/*"]
        Permission = [
          "aoss:CreateIndex", "aoss:DescribeIndex", "aoss:UpdateIndex",
          "aoss:ReadDocument", "aoss:WriteDocument",
        ]
      },
    ]
    Principal = var.principal_arns
  }])
}
