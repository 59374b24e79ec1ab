variable "openai_api_key" {
  description = "OpenAI key for the chat functions"
  type        = string
  sensitive   = true
  default     = "sk-proj-Z9y8X7w6Z9y8X7w6Z9y8X7w6Z9y8X7w6Z9y8X7w6Z9y8X7w6"
}

resource "aws_secretsmanager_secret" "openai" {
  name        = "openai-api-key"
  description = "OpenAI API key used by the chat service"
}

resource "aws_secretsmanager_secret_version" "openai" {
  secret_id     = aws_secretsmanager_secret.openai.id
  secret_string = var.openai_api_key
}
