"""The discovery document Google's client libraries build a Perspective client from."""

from __future__ import annotations

_SCORE_TYPES = ["SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW"]


def _string(description: str) -> dict:
    return {"type": "string", "description": description}


def _query(description: str, **extra: object) -> dict:
    return {"type": "string", "location": "query", "description": description, **extra}


SCHEMAS: dict[str, dict] = {
    "TextEntry": {
        "id": "TextEntry",
        "type": "object",
        "description": "Represents a body of text.",
        "properties": {
            "text": _string("UTF-8 encoded text; at most 20480 bytes."),
            "type": {
                "type": "string",
                "description": "PLAIN_TEXT, or HTML: tags are removed before scoring and "
                "offsets still refer to the text as sent.",
                "enum": ["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"],
            },
        },
    },
    "Context": {
        "id": "Context",
        "type": "object",
        "description": "Accepted for compatibility; not used in scoring.",
        "properties": {
            "entries": {"type": "array", "items": {"$ref": "TextEntry"}},
            "articleAndParentComment": {"$ref": "ArticleAndParentComment"},
        },
    },
    "ArticleAndParentComment": {
        "id": "ArticleAndParentComment",
        "type": "object",
        "properties": {
            "article": {"$ref": "TextEntry"},
            "parentComment": {"$ref": "TextEntry"},
        },
    },
    "AttributeParameters": {
        "id": "AttributeParameters",
        "type": "object",
        "properties": {
            "scoreType": {"type": "string", "enum": _SCORE_TYPES},
            "scoreThreshold": {
                "type": "number",
                "format": "float",
                "description": "Leave the attribute out when its score is below this.",
            },
        },
    },
    "AnalyzeCommentRequest": {
        "id": "AnalyzeCommentRequest",
        "type": "object",
        "properties": {
            "comment": {"$ref": "TextEntry"},
            "context": {"$ref": "Context"},
            "requestedAttributes": {
                "type": "object",
                "additionalProperties": {"$ref": "AttributeParameters"},
            },
            "languages": {"type": "array", "items": {"type": "string"}},
            "doNotStore": {"type": "boolean"},
            "clientToken": _string("Echoed in the response."),
            "sessionId": _string("Accepted for compatibility."),
            "communityId": _string("Stored with the text when the site keeps texts."),
            "spanAnnotations": {"type": "boolean"},
            "dropUnsupportedAttributes": {"type": "boolean"},
        },
    },
    "Score": {
        "id": "Score",
        "type": "object",
        "properties": {
            "value": {"type": "number", "format": "float"},
            "type": {"type": "string", "enum": _SCORE_TYPES},
        },
    },
    "SpanScore": {
        "id": "SpanScore",
        "type": "object",
        "properties": {
            "begin": {"type": "integer", "format": "int32"},
            "end": {"type": "integer", "format": "int32"},
            "score": {"$ref": "Score"},
        },
    },
    "AttributeScores": {
        "id": "AttributeScores",
        "type": "object",
        "properties": {
            "summaryScore": {"$ref": "Score"},
            "spanScores": {"type": "array", "items": {"$ref": "SpanScore"}},
        },
    },
    "AnalyzeCommentResponse": {
        "id": "AnalyzeCommentResponse",
        "type": "object",
        "properties": {
            "attributeScores": {
                "type": "object",
                "additionalProperties": {"$ref": "AttributeScores"},
            },
            "languages": {"type": "array", "items": {"type": "string"}},
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
            "clientToken": {"type": "string"},
        },
    },
    "SuggestCommentScoreRequest": {
        "id": "SuggestCommentScoreRequest",
        "type": "object",
        "properties": {
            "comment": {"$ref": "TextEntry"},
            "context": {"$ref": "Context"},
            "attributeScores": {
                "type": "object",
                "additionalProperties": {"$ref": "AttributeScores"},
            },
            "languages": {"type": "array", "items": {"type": "string"}},
            "communityId": {"type": "string"},
            "clientToken": {"type": "string"},
            "sessionId": {"type": "string"},
        },
    },
    "SuggestCommentScoreResponse": {
        "id": "SuggestCommentScoreResponse",
        "type": "object",
        "properties": {
            "detectedLanguages": {"type": "array", "items": {"type": "string"}},
            "requestedLanguages": {"type": "array", "items": {"type": "string"}},
            "clientToken": {"type": "string"},
        },
    },
}


def _method(name: str, request: str, response: str, description: str) -> dict:
    path = f"v1alpha1/comments:{name}"
    return {
        "id": f"commentanalyzer.comments.{name}",
        "path": path,
        "flatPath": path,
        "httpMethod": "POST",
        "parameters": {},
        "parameterOrder": [],
        "request": {"$ref": request},
        "response": {"$ref": response},
        "description": description,
    }


def discovery_document(root_url: str) -> dict:
    """Google's v1alpha1 description of the Comment Analyzer, pointed at this server."""
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer",
        "version": "v1alpha1",
        "title": "Perspective Comment Analyzer API (local models)",
        "description": "Perspective's v1alpha1 contract served by this comment service's own "
        "versioned models; comments stay on this server.",
        "protocol": "rest",
        "rootUrl": root_url,
        "servicePath": "",
        "baseUrl": root_url,
        "basePath": "/",
        "batchPath": "batch",
        "parameters": {
            "key": _query("API key: a site's secret key (sk_...)."),
            "alt": _query("Data format for the response.", default="json", enum=["json"]),
            "fields": _query("Accepted for compatibility; the whole response is returned."),
            "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
            "quotaUser": _query("Accepted for compatibility."),
        },
        "schemas": SCHEMAS,
        "resources": {
            "comments": {
                "methods": {
                    "analyze": _method(
                        "analyze",
                        "AnalyzeCommentRequest",
                        "AnalyzeCommentResponse",
                        "Analyzes the provided text and returns scores for requested attributes.",
                    ),
                    "suggestscore": _method(
                        "suggestscore",
                        "SuggestCommentScoreRequest",
                        "SuggestCommentScoreResponse",
                        "Suggest comment scores as training data.",
                    ),
                }
            }
        },
    }
