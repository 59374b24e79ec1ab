# The key itself is written by the rotation function, never by Terraform.
resource "aws_secretsmanager_secret" "openai" {
  name        = "openai-api-key"
  description = "OpenAI API key used by the chat service"
}

resource "aws_secretsmanager_secret_rotation" "openai" {
  secret_id           = aws_secretsmanager_secret.openai.id
  rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-openai-key"

  rotation_rules {
    automatically_after_days = 30
  }
}
