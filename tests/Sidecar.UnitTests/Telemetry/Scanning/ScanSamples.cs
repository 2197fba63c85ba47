using System.Text;
using Canary.Contracts.Responses;
using Canary.Sidecar.Telemetry.Scanning;

namespace Canary.Sidecar.UnitTests.Telemetry.Scanning;

/// <summary>Response bodies shaped like the providers' own, one per format and outcome the scanner must read.</summary>
internal static class ScanSamples
{
    private const ResponseBodyFormat Json = ResponseBodyFormat.Json;
    private const ResponseBodyFormat Sse = ResponseBodyFormat.EventStream;

    public static IReadOnlyList<ScanSample> All { get; } =
    [
        new(
            "openai-chat-json",
            Json,
            200,
            """
            {
              "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
              "object": "chat.completion",
              "created": 1741569952,
              "model": "gpt-4.1-2025-04-14",
              "choices": [
                {
                  "index": 0,
                  "message": {
                    "role": "assistant",
                    "content": "Hello! How can I assist you today? \u00e9t\u00e9 \ud83d\ude00",
                    "refusal": null,
                    "annotations": []
                  },
                  "logprobs": null,
                  "finish_reason": "stop"
                }
              ],
              "usage": {
                "prompt_tokens": 1319,
                "completion_tokens": 10,
                "total_tokens": 1329,
                "prompt_tokens_details": { "cached_tokens": 1152, "audio_tokens": 0 },
                "completion_tokens_details": {
                  "reasoning_tokens": 0,
                  "audio_tokens": 0,
                  "accepted_prediction_tokens": 0,
                  "rejected_prediction_tokens": 0
                }
              },
              "service_tier": "default",
              "system_fingerprint": "fp_ee1d74bde0"
            }
            """,
            ResponseDialect.OpenAIChat,
            InputTokens: 1319,
            CachedInputTokens: 1152,
            CacheCreationInputTokens: null,
            OutputTokens: 10,
            ReasoningTokens: 0,
            FinishReason.Stop,
            Refusal: false,
            "gpt-4.1-2025-04-14",
            ContentMarker: "Hello!"),
        new(
            "openai-chat-json-refusal",
            Json,
            200,
            """
            {"id":"chatcmpl-9nYAG9LPNonX8DAyrkwYfemr3C8HC","object":"chat.completion","created":1721596428,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I'm sorry, I cannot assist with that request."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":81,"completion_tokens":11,"total_tokens":92,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"system_fingerprint":"fp_3407719c7f"}
            """,
            ResponseDialect.OpenAIChat,
            81,
            0,
            null,
            11,
            0,
            FinishReason.Stop,
            Refusal: true,
            "gpt-4o-2024-08-06",
            ContentMarker: "I'm sorry"),
        new(
            "openai-chat-json-tool-calls",
            Json,
            200,
            """
            {"id":"chatcmpl-abc123","object":"chat.completion","created":1699896916,"model":"o4-mini-2025-04-16","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_abc123","type":"function","function":{"name":"get_current_weather","arguments":"{\n\"location\": \"Boston, MA\"\n}"}}]},"logprobs":null,"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,"completion_tokens":217,"total_tokens":299,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":192}}}
            """,
            ResponseDialect.OpenAIChat,
            82,
            0,
            null,
            217,
            192,
            FinishReason.ToolCalls,
            Refusal: false,
            "o4-mini-2025-04-16",
            ContentMarker: "call_abc123"),
        new(
            "openai-completions-json",
            Json,
            200,
            """
            {"id":"cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7","object":"text_completion","created":1589478378,"model":"gpt-3.5-turbo-instruct","system_fingerprint":"fp_44709d6fcb","choices":[{"text":"\n\nThis is indeed a test","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}
            """,
            ResponseDialect.OpenAICompletions,
            5,
            null,
            null,
            7,
            null,
            FinishReason.Length,
            Refusal: false,
            "gpt-3.5-turbo-instruct",
            ContentMarker: "indeed"),
        new(
            "openai-chat-sse-usage",
            Sse,
            200,
            Events(
                """{"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
                """{"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}""",
                """{"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":" there, caf\u00e9 \"fan\"!"},"logprobs":null,"finish_reason":null}],"usage":null}""",
                """{"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
                """{"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1732600000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_0ba0d124f1","choices":[],"usage":{"prompt_tokens":2048,"completion_tokens":8,"total_tokens":2056,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}""",
                "[DONE]"),
            ResponseDialect.OpenAIChat,
            2048,
            1920,
            null,
            8,
            0,
            FinishReason.Stop,
            Refusal: false,
            "gpt-4o-mini-2024-07-18",
            ContentMarker: "\"Hi\""),
        new(
            "openai-chat-sse-no-usage",
            Sse,
            200,
            Events(
                """{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
                """{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Paris."},"finish_reason":null}]}""",
                """{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}""",
                "[DONE]"),
            ResponseDialect.OpenAIChat,
            null,
            null,
            null,
            null,
            null,
            FinishReason.Length,
            Refusal: false,
            "gpt-4o",
            ContentMarker: "Paris."),
        new(
            "openai-chat-sse-refusal-crlf",
            Sse,
            200,
            Events(
                """{"id":"chatcmpl-r","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"finish_reason":null}]}""",
                """{"id":"chatcmpl-r","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"refusal":"I can't help with that."},"finish_reason":null}]}""",
                """{"id":"chatcmpl-r","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
                """{"id":"chatcmpl-r","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":40,"completion_tokens":7,"total_tokens":47}}""",
                "[DONE]").Replace("\n", "\r\n", StringComparison.Ordinal),
            ResponseDialect.OpenAIChat,
            40,
            null,
            null,
            7,
            null,
            FinishReason.Stop,
            Refusal: true,
            "gpt-4o-2024-08-06",
            ContentMarker: "I can't help"),
        new(
            "openai-chat-sse-content-filter",
            Sse,
            200,
            Events(
                """{"id":"chatcmpl-f","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Sure, here"},"finish_reason":null,"content_filter_results":{}}]}""",
                """{"id":"chatcmpl-f","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"content_filter","content_filter_results":{"violence":{"filtered":true,"severity":"high"}}}]}""",
                "[DONE]"),
            ResponseDialect.OpenAIChat,
            null,
            null,
            null,
            null,
            null,
            FinishReason.ContentFilter,
            Refusal: true,
            "gpt-4o",
            ContentMarker: "Sure, here"),
        new(
            "vllm-chat-sse-reasoning",
            Sse,
            200,
            Events(
                """{"id":"chatcmpl-8c9e","object":"chat.completion.chunk","created":1745000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":18,"total_tokens":18,"completion_tokens":0}}""",
                """{"id":"chatcmpl-8c9e","object":"chat.completion.chunk","created":1745000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"reasoning_content":"Let me think."},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":18,"total_tokens":22,"completion_tokens":4}}""",
                """{"id":"chatcmpl-8c9e","object":"chat.completion.chunk","created":1745000000,"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":{"content":"42"},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":18,"total_tokens":24,"completion_tokens":6}}""",
                """{"id":"chatcmpl-8c9e","object":"chat.completion.chunk","created":1745000000,"model":"Qwen/Qwen3-8B","choices":[],"usage":{"prompt_tokens":18,"total_tokens":24,"completion_tokens":6}}""",
                "[DONE]"),
            ResponseDialect.OpenAIChat,
            18,
            null,
            null,
            6,
            null,
            FinishReason.Stop,
            Refusal: false,
            "Qwen/Qwen3-8B",
            ContentMarker: "Let me think."),
        new(
            "openai-responses-json",
            Json,
            200,
            """
            {
              "id": "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
              "object": "response",
              "created_at": 1741476542,
              "status": "completed",
              "error": null,
              "incomplete_details": null,
              "instructions": null,
              "max_output_tokens": null,
              "model": "gpt-4.1-2025-04-14",
              "output": [
                {
                  "type": "message",
                  "id": "msg_67ccd2bf17f0819081ff3bb2cf6508e60bb6a6b452d3795b",
                  "status": "completed",
                  "role": "assistant",
                  "content": [
                    { "type": "output_text", "text": "In a peaceful grove beneath a silver moon...", "annotations": [] }
                  ]
                }
              ],
              "parallel_tool_calls": true,
              "reasoning": { "effort": null, "summary": null },
              "store": true,
              "temperature": 1.0,
              "text": { "format": { "type": "text" } },
              "tool_choice": "auto",
              "tools": [],
              "top_p": 1.0,
              "truncation": "disabled",
              "usage": {
                "input_tokens": 36,
                "input_tokens_details": { "cached_tokens": 0 },
                "output_tokens": 87,
                "output_tokens_details": { "reasoning_tokens": 0 },
                "total_tokens": 123
              },
              "user": null,
              "metadata": {}
            }
            """,
            ResponseDialect.OpenAIResponses,
            36,
            0,
            null,
            87,
            0,
            FinishReason.Stop,
            Refusal: false,
            "gpt-4.1-2025-04-14",
            ContentMarker: "peaceful grove"),
        new(
            "openai-responses-sse",
            Sse,
            200,
            NamedEvents(
                ("response.created", """{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"model":"o3-2025-04-16","output":[],"usage":null}}"""),
                ("response.in_progress", """{"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"in_progress","model":"o3-2025-04-16","output":[],"usage":null}}"""),
                ("response.output_item.added", """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}"""),
                ("response.content_part.added", """{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}"""),
                ("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}"""),
                ("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"delta":" there!","logprobs":[]}"""),
                ("response.output_text.done", """{"type":"response.output_text.done","sequence_number":6,"item_id":"msg_1","output_index":0,"content_index":0,"text":"Hi there!","logprobs":[]}"""),
                ("response.output_item.done", """{"type":"response.output_item.done","sequence_number":7,"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}}"""),
                ("response.completed", """{"type":"response.completed","sequence_number":8,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"completed","error":null,"incomplete_details":null,"model":"o3-2025-04-16","output":[{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":0},"output_tokens":211,"output_tokens_details":{"reasoning_tokens":192},"total_tokens":248}}}""")),
            ResponseDialect.OpenAIResponses,
            37,
            0,
            null,
            211,
            192,
            FinishReason.Stop,
            Refusal: false,
            "o3-2025-04-16",
            ContentMarker: "\"delta\":\"Hi\""),
        new(
            "openai-responses-sse-incomplete",
            Sse,
            200,
            NamedEvents(
                ("response.created", """{"type":"response.created","sequence_number":0,"response":{"id":"resp_2","object":"response","status":"in_progress","model":"gpt-4.1-mini","output":[],"usage":null}}"""),
                ("response.output_text.delta", """{"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"Once upon"}"""),
                ("response.incomplete", """{"type":"response.incomplete","sequence_number":2,"response":{"id":"resp_2","object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"model":"gpt-4.1-mini","output":[{"id":"msg_2","type":"message","status":"incomplete","role":"assistant","content":[{"type":"output_text","text":"Once upon","annotations":[]}]}],"usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":0},"output_tokens":16,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":28}}}""")),
            ResponseDialect.OpenAIResponses,
            12,
            0,
            null,
            16,
            0,
            FinishReason.Length,
            Refusal: false,
            "gpt-4.1-mini",
            ContentMarker: "Once upon"),
        new(
            "openai-responses-json-function-call",
            Json,
            200,
            """
            {"id":"resp_3","object":"response","created_at":1741294021,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"Paris, France\"}","status":"completed"}],"usage":{"input_tokens":291,"input_tokens_details":{"cached_tokens":256},"output_tokens":23,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":314}}
            """,
            ResponseDialect.OpenAIResponses,
            291,
            256,
            null,
            23,
            0,
            FinishReason.ToolCalls,
            Refusal: false,
            "gpt-4.1-2025-04-14",
            ContentMarker: "get_weather"),
        new(
            "anthropic-json",
            Json,
            200,
            """
            {"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"cache_creation_input_tokens":2051,"cache_read_input_tokens":4096,"cache_creation":{"ephemeral_5m_input_tokens":2051,"ephemeral_1h_input_tokens":0},"output_tokens":503,"service_tier":"standard"}}
            """,
            ResponseDialect.Anthropic,
            2095 + 2051 + 4096,
            4096,
            2051,
            503,
            null,
            FinishReason.Stop,
            Refusal: false,
            "claude-sonnet-4-20250514",
            ContentMarker: "My name is Claude"),
        new(
            "anthropic-json-tool-use",
            Json,
            200,
            """
            {"id":"msg_01Aq9w938a90dw8q","type":"message","role":"assistant","model":"claude-opus-4-1-20250805","content":[{"type":"text","text":"I'll check the weather."},{"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA","unit":"celsius"}}],"stop_reason":"tool_use","stop_sequence":null,"usage":{"input_tokens":384,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":96}}
            """,
            ResponseDialect.Anthropic,
            384,
            0,
            0,
            96,
            null,
            FinishReason.ToolCalls,
            Refusal: false,
            "claude-opus-4-1-20250805",
            ContentMarker: "check the weather"),
        new(
            "anthropic-sse",
            Sse,
            200,
            NamedEvents(
                ("message_start", """{"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":0,"cache_read_input_tokens":1024,"output_tokens":1}}}"""),
                ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"""),
                ("ping", """{"type": "ping"}"""),
                ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}"""),
                ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", here\u2019s the plan."}}"""),
                ("content_block_stop", """{"type":"content_block_stop","index":0}"""),
                ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":15}}"""),
                ("message_stop", """{"type":"message_stop"}""")),
            ResponseDialect.Anthropic,
            472 + 1024,
            1024,
            0,
            15,
            null,
            FinishReason.Length,
            Refusal: false,
            "claude-sonnet-4-5-20250929",
            ContentMarker: "\"Okay\""),
        new(
            "anthropic-sse-refusal",
            Sse,
            200,
            NamedEvents(
                ("message_start", """{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-opus-4-20250514","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":30,"output_tokens":1}}}"""),
                ("content_block_start", """{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
                ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user asks"}}"""),
                ("message_delta", """{"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"input_tokens":30,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":12}}"""),
                ("message_stop", """{"type":"message_stop"}""")),
            ResponseDialect.Anthropic,
            30,
            0,
            0,
            12,
            null,
            FinishReason.ContentFilter,
            Refusal: true,
            "claude-opus-4-20250514",
            ContentMarker: "The user asks"),
        new(
            "openai-400-content-policy",
            Json,
            400,
            """
            {
              "error": {
                "message": "Your request was rejected as a result of our safety system.",
                "type": "invalid_request_error",
                "param": null,
                "code": "content_policy_violation"
              }
            }
            """,
            ResponseDialect.Unknown,
            null,
            null,
            null,
            null,
            null,
            FinishReason.None,
            Refusal: true,
            null,
            ContentMarker: null,
            HasError: true),
        new(
            "azure-400-content-filter",
            Json,
            400,
            """
            {"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}}}
            """,
            ResponseDialect.Unknown,
            null,
            null,
            null,
            null,
            null,
            FinishReason.None,
            Refusal: true,
            null,
            ContentMarker: null,
            HasError: true),
        new(
            "openai-400-other",
            Json,
            400,
            """
            {"error":{"message":"Invalid 'messages': empty array.","type":"invalid_request_error","param":"messages","code":"empty_array"}}
            """,
            ResponseDialect.Unknown,
            null,
            null,
            null,
            null,
            null,
            FinishReason.None,
            Refusal: false,
            null,
            ContentMarker: null,
            HasError: true),
        new(
            "anthropic-529-overloaded",
            Json,
            529,
            """
            {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}
            """,
            ResponseDialect.Unknown,
            null,
            null,
            null,
            null,
            null,
            FinishReason.None,
            Refusal: false,
            null,
            ContentMarker: null,
            HasError: true),
        new(
            "anthropic-400-output-filter",
            Json,
            400,
            """
            {"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"},"request_id":"req_011CZJgXycvbvFANorJwBAYE"}
            """,
            ResponseDialect.Unknown,
            null,
            null,
            null,
            null,
            null,
            FinishReason.None,
            Refusal: true,
            null,
            ContentMarker: null,
            HasError: true),
        new(
            "anthropic-sse-output-filter-mid-stream",
            Sse,
            200,
            NamedEvents(
                ("message_start", """{"type":"message_start","message":{"id":"msg_4","type":"message","role":"assistant","content":[],"model":"claude-opus-4-1-20250805","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":1200,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3}}}"""),
                ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Here is the full text of"}}"""),
                ("error", """{"type":"error","error":{"details":null,"type":"invalid_request_error","message":"Output blocked by content filtering policy"}}""")),
            ResponseDialect.Anthropic,
            1200,
            0,
            0,
            null,
            null,
            FinishReason.None,
            Refusal: true,
            "claude-opus-4-1-20250805",
            ContentMarker: "Here is the full",
            HasError: true),
        new(
            "anthropic-sse-error-mid-stream",
            Sse,
            200,
            NamedEvents(
                ("message_start", """{"type":"message_start","message":{"id":"msg_3","type":"message","role":"assistant","content":[],"model":"claude-3-5-haiku-20241022","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}}"""),
                ("content_block_delta", """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sure"}}"""),
                ("error", """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")),
            ResponseDialect.Anthropic,
            9,
            null,
            null,
            null,
            null,
            FinishReason.None,
            Refusal: false,
            "claude-3-5-haiku-20241022",
            ContentMarker: "\"Sure\"",
            HasError: true),
    ];

    public static ScanSample Get(string name)
    {
        foreach (var sample in All)
        {
            if (sample.Name == name)
            {
                return sample;
            }
        }

        throw new ArgumentException($"No sample named {name}.", nameof(name));
    }

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var sample in All)
        {
            data.Add(sample.Name);
        }

        return data;
    }

    /// <summary>An SSE body of <c>data:</c> events, each ended by a blank line, as OpenAI sends them.</summary>
    public static string Events(params string[] data)
    {
        var body = new StringBuilder();
        foreach (var item in data)
        {
            body.Append("data: ").Append(item).Append("\n\n");
        }

        return body.ToString();
    }

    /// <summary>An SSE body with <c>event:</c> lines, as Anthropic and the Responses API send them.</summary>
    public static string NamedEvents(params (string Event, string Data)[] events)
    {
        var body = new StringBuilder();
        foreach (var (name, data) in events)
        {
            body.Append("event: ").Append(name).Append('\n').Append("data: ").Append(data).Append("\n\n");
        }

        return body.ToString();
    }
}
