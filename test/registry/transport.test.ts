import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hostOf,
  isLoopbackRegistry,
  registryApiHost,
  registryBaseUrl,
} from '../../src/registry/transport.js';

test('loopback registries are detected with and without ports', () => {
  for (const r of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '::1']) {
    assert.ok(isLoopbackRegistry(r), r);
  }
  for (const r of ['example.com', '128.0.0.1:5000', '[::2]:5000', 'localhost.example.com']) {
    assert.ok(!isLoopbackRegistry(r), r);
  }
  assert.equal(hostOf('[::1]:5000'), '::1');
});

test('scheme: http for loopback and named insecure registries, https otherwise; tlsRegistries wins', () => {
  assert.equal(registryBaseUrl('127.0.0.1:5000', {}), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('reg.example:5000', {}), 'https://reg.example:5000');
  assert.equal(
    registryBaseUrl('reg.example:5000', { insecureRegistries: ['reg.example:5000'] }),
    'http://reg.example:5000',
  );
  assert.equal(
    registryBaseUrl('localhost:5000', { tlsRegistries: ['localhost:5000'] }),
    'https://localhost:5000',
  );
  assert.equal(registryBaseUrl('docker.io', {}), 'https://registry-1.docker.io');
  assert.equal(registryApiHost('quay.io'), 'quay.io');
});
