"""Decides which credentials are AI service credentials, and says why.

Recognizers hand over names and grants; this module holds the judgement (with the vocabulary in
data/ai_vocabulary.yaml) so that every provider classifies the same way. The graph rule — the
identity of a workload that uses an AI credential is one too — needs the whole inventory and lives
in inventory.py.
"""

from __future__ import annotations

from functools import lru_cache

from ..model import Credential
from ..secrets.detect import name_words
from ..secrets.vocabulary import AIProvider, vocabulary


@lru_cache(maxsize=1 << 16)
def provider_named_by(text: str) -> AIProvider | None:
    """The AI provider a name, description or key mentions, if any.

    Cached because a monorepo repeats its names (``this``, ``endpoint``) thousands of times; and
    most name no provider, which the vocabulary's combined tokens and substrings tell at once.
    """
    lowered = text.lower()
    words = set(name_words(text))
    vocab = vocabulary()
    if words.isdisjoint(vocab.all_tokens) and not vocab.any_substring.search(lowered):
        return None
    for provider in vocab.providers:
        if words & provider.tokens or any(sub in lowered for sub in provider.substrings):
            return provider
    return None


@lru_cache(maxsize=1 << 12)
def grant_service(action: str) -> str | None:
    """The AI service a permission string reaches (``bedrock:InvokeModel`` → Amazon Bedrock).

    Cached: a scan checks the same few actions (``s3:GetObject``, ``*``) on every grant.
    """
    for grant_pattern in vocabulary().grant_patterns:
        if grant_pattern.pattern.search(action):
            return grant_pattern.service
    return None


def direct_reasons(credential: Credential) -> tuple[str, ...]:
    """Reasons that follow from the credential alone (not from the workloads around it)."""
    reasons: list[str] = list(credential.ai_reasons)
    for hint in credential.ai_hints:
        provider = provider_named_by(hint)
        if provider:
            reasons.append(f"'{hint}' names {provider.name}")
            break
    for grant in credential.scope.grants:
        services = sorted({s for s in (grant_service(a) for a in grant.actions) if s})
        if services:
            actions = ", ".join(a for a in grant.actions if grant_service(a))
            reasons.append(f"grants {actions} ({'; '.join(services)})")
            break
    for literal in credential.hardcoded:
        if literal.ai_provider:
            reasons.append(f"value at {literal.field} matches the {literal.ai_provider} key format")
            break
    return tuple(dict.fromkeys(reasons))
