"""What the OpenAI SDK export adds for an LLM's extras: the answer's logprobs printed token by
token. (Images from files are FileRefs: attachments and codegen_files read them at run time.)"""

from __future__ import annotations


def logprob_lines(streaming: bool) -> list[str]:
    """Print the answer's tokens with their log probabilities, after the answer."""
    if streaming:
        return []  # each chunk's choices[0].logprobs.content holds its tokens
    return [
        "for token in response.choices[0].logprobs.content:",
        '    print(f"{token.logprob:8.3f}  {token.token!r}")',
    ]
