import { createServer, Server } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { AppConfig } from '../config/app-config';
import { PaymentInitiatePayload } from './messages/payment-initiate.message';
import { PaymentGatewayClient } from './payment-gateway.client';

const payload: PaymentInitiatePayload = {
  invoicePaymentId: '00000000-0000-4000-8000-000000000001',
  invoiceId: '00000000-0000-4000-8000-000000000002',
  subscriptionId: '00000000-0000-4000-8000-000000000003',
  userId: '00000000-0000-4000-8000-000000000004',
  amount: 100,
  currency: 'USD',
  paymentMethod: 'pm_card_visa',
  description: 'test',
};

function client(baseUrl: string): PaymentGatewayClient {
  return new PaymentGatewayClient({ paymentService: { baseUrl, apiKey: 'k', timeoutMs: 200 } } as unknown as AppConfig);
}

describe('PaymentGatewayClient.createPayment outcome classification', () => {
  let server: Server | null = null;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  });

  async function serve(onRequest: (socket: Socket) => void): Promise<string> {
    server = createServer((req) => {
      req.resume();
      req.on('end', () => onRequest(req.socket));
    });
    server.on('connection', (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('should call a refused connection retryable: nothing was sent', async () => {
    const result = await client('http://127.0.0.1:9').createPayment(payload, null);
    expect(result).toMatchObject({ kind: 'retryable' });
  });

  it('should call a request that got no answer within the timeout unknown', async () => {
    const url = await serve(() => undefined);
    const result = await client(url).createPayment(payload, null);
    expect(result.kind).toBe('unknown');
  });

  it('should call a connection dropped after the request was sent unknown', async () => {
    const url = await serve((socket) => socket.destroy());
    const result = await client(url).createPayment(payload, null);
    expect(result.kind).toBe('unknown');
  });
});
