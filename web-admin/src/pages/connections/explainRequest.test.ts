import { describe, expect, it } from 'vitest';
import { explainRequest } from './explainRequest';

const base = { method: 'POST', path: '/Users' };

describe('explainRequest', () => {
  it('has nothing to say about a success', () => {
    expect(explainRequest({ ...base, status: 201 })).toBeNull();
  });

  it('prefers the SCIM error type to the status', () => {
    const conflict = explainRequest({ ...base, status: 409, scim_type: 'uniqueness' });
    expect(conflict?.summary).toMatch(/already exists/);
    const filter = explainRequest({ ...base, method: 'GET', status: 400, scim_type: 'invalidFilter' });
    expect(filter?.summary).toMatch(/filter/);
  });

  it('tells a refused token apart from a missing user', () => {
    expect(explainRequest({ ...base, status: 401 })?.fix).toMatch(/new token/);
    expect(explainRequest({ ...base, method: 'GET', status: 404 })?.summary).toMatch(/normal/);
    expect(explainRequest({ ...base, method: 'PATCH', status: 404 })?.summary).toMatch(/deleted/);
  });

  it('explains limits and server errors without blaming the admin', () => {
    expect(explainRequest({ ...base, status: 429 })?.fix).toMatch(/on its own/);
    expect(explainRequest({ ...base, status: 503 })?.fix).toMatch(/request id/);
    expect(explainRequest({ ...base, status: 418 })?.summary).toMatch(/refused/);
  });
});
