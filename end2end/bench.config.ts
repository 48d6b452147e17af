import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Browser benchmarks (`make bench-ui`): they measure and print, they assert nothing about time.
export default defineConfig({ ...base, testDir: './bench', testMatch: '*.bench.ts' });
