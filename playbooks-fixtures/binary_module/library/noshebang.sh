echo "{\"msg\": \"ran without an interpreter line\"}"
