-- 010_output_mode: which output mode each model request used. `json_schema` (the server enforces
-- the reply schema) unless the server refused it, then `json_object` with the schema in the
-- instructions (claimflow.llm.client.ChatModel); the first request that fell back says why in `note`.
ALTER TABLE llm_calls ADD COLUMN structured VARCHAR;
ALTER TABLE llm_calls ADD COLUMN note VARCHAR;
