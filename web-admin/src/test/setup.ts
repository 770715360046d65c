import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { session } from '../api/session';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  session.end();
  sessionStorage.clear();
});
