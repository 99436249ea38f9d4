// Reference server: bare Fastify (the services' version, see ../package.json) with one JSON handler
// and no plugins, logging off. The ceiling for "a Node.js HTTP handler on this machine".
//   PORT=<port> node bare-fastify.mjs
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ object: 'status', ok: true, service: 'reference' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
