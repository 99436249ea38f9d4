import { httpLabels, statusClass, UNMATCHED_ROUTE } from './http-metrics';

describe('http metrics', () => {
  describe(statusClass.name, () => {
    it('should name the class of a status code', () => {
      expect([200, 204, 301, 404, 429, 500, 503].map(statusClass)).toEqual([
        '2xx',
        '2xx',
        '3xx',
        '4xx',
        '4xx',
        '5xx',
        '5xx',
      ]);
    });

    it('should call a code outside 100-599 other', () => {
      expect([0, 99, 600].map(statusClass)).toEqual(['other', 'other', 'other']);
    });
  });

  describe(httpLabels.name, () => {
    it('should label by the route template, never the path', () => {
      expect(httpLabels('GET', '/v1/subscriptions/:id', 200)).toEqual({
        method: 'GET',
        route: '/v1/subscriptions/:id',
        status_class: '2xx',
      });
    });

    it('should label a request no route matched as unmatched', () => {
      expect(httpLabels('GET', undefined, 404).route).toBe(UNMATCHED_ROUTE);
    });

    it('should fold unknown methods into other, so a client cannot create series', () => {
      expect(httpLabels('PROPFIND', undefined, 404).method).toBe('other');
    });
  });
});
