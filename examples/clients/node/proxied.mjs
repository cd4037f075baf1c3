// Calls https://api.openai.com and https://api.anthropic.com — the
// production URLs, unchanged — through llm-simulator as an HTTPS proxy,
// with the official `openai` and `@anthropic-ai/sdk` packages.
//
//   llm-simulator &
//   npm ci
//   HTTPS_PROXY=http://127.0.0.1:8080 NO_PROXY=localhost,127.0.0.1,.svc,.cluster.local \
//   NODE_EXTRA_CA_CERTS="$(llm-simulator ca path)" \
//   OPENAI_API_KEY=any ANTHROPIC_API_KEY=any node proxied.mjs
//
// Two things an app must do, and why:
// - Route through the proxy explicitly. The SDKs call fetch, and Node's
//   fetch ignores HTTPS_PROXY (before the NODE_USE_ENV_PROXY of recent
//   releases), so each client gets an undici ProxyAgent as its dispatcher
//   — with undici's own fetch, since a dispatcher must be paired with the
//   fetch of the same undici.
// - Trust the simulator's CA, which signs the certificates it answers
//   api.openai.com and api.anthropic.com with. NODE_EXTRA_CA_CERTS adds it
//   to Node's roots; it is read once, at start.
//
// NO_PROXY names what an app reaches directly: the proxy refuses to
// tunnel to loopback, private and cluster addresses unless its
// egress.allow names them (docs/security.md). (The ProxyAgent below is
// given to the SDK clients only, so this script's other fetches, were it
// to make any, would not go through it.)
//
// Without HTTPS_PROXY this script refuses to run rather than call the
// real APIs.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fetch, ProxyAgent } from 'undici';

const proxy = process.env.HTTPS_PROXY || process.env.https_proxy;
if (!proxy) {
  console.error('proxied.mjs: HTTPS_PROXY is not set; point it at llm-simulator');
  process.exit(1);
}
const dispatcher = new ProxyAgent(proxy);
const openai = new OpenAI({ fetch, fetchOptions: { dispatcher } }); // OPENAI_API_KEY
const anthropic = new Anthropic({ fetch, fetchOptions: { dispatcher } }); // ANTHROPIC_API_KEY
const ask = [{ role: 'user', content: 'Say hello.' }];

try {
  const chat = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask });
  console.log(`openai chat: ${JSON.stringify(chat.choices[0].message.content)} (finish_reason ${chat.choices[0].finish_reason})`);

  // A stream can end cleanly without its last chunk (a cut connection):
  // only a finish_reason says the answer is whole.
  let text = '';
  let finish = null;
  const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: ask, stream: true });
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  if (!finish) throw new Error('openai stream: ended without a finish_reason');
  console.log(`openai stream: ${JSON.stringify(text)} (finish_reason ${finish})`);

  const msg = await anthropic.messages.create({ model: 'claude-sonnet-5-5', max_tokens: 256, messages: ask });
  console.log(`anthropic message: ${JSON.stringify(msg.content[0].text)} (stop_reason ${msg.stop_reason})`);

  // finalMessage rejects when the stream ends before message_stop.
  const streamed = await anthropic.messages.stream({ model: 'claude-sonnet-5-5', max_tokens: 256, messages: ask }).finalMessage();
  console.log(`anthropic stream: ${JSON.stringify(streamed.content[0].text)} (stop_reason ${streamed.stop_reason})`);
} finally {
  await dispatcher.close(); // idle keep-alive sockets would hold the process open
}
