locals {
  # IAM condition keys name the issuer without its scheme.
  issuer = trimprefix(var.oidc_issuer_url, "https://")
}

resource "aws_iam_role" "agent" {
  name                 = var.role_name
  permissions_boundary = var.permissions_boundary_arn
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = var.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.issuer}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
          "${local.issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
  tags = var.tags
}

# IAM is eventually consistent: another service (OpenSearch Serverless's data
# access policy, STS for the pod) can refuse a role for a while after it is
# created. Its policies need no wait (IAM itself accepts them at once); what
# names the role takes its ARN from the role_arn output, which passes through
# this wait.
resource "time_sleep" "iam_propagation" {
  create_duration = "${var.propagation_wait_seconds}s"
  triggers        = { role_arn = aws_iam_role.agent.arn }
}

resource "aws_iam_role_policy" "vector_store" {
  name = "vector-store"
  role = aws_iam_role.agent.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["aoss:APIAccessAll"]
      Resource = [var.collection_arn]
    }]
  })
}

resource "aws_iam_role_policy_attachment" "extra" {
  for_each   = toset(var.managed_policy_arns)
  role       = aws_iam_role.agent.name
  policy_arn = each.value
}
