/** Environment variables berth reads; the man page prints this table. */
export const ENVIRONMENT: ReadonlyArray<{ name: string; meaning: string }> = [
  { name: 'DOCKER_HOST', meaning: 'engine address (unix://, tcp://, ssh://); wins over DOCKER_CONTEXT, as in the docker CLI' },
  { name: 'DOCKER_TLS_VERIFY', meaning: 'with a tcp:// host, use TLS and verify the engine certificate' },
  { name: 'DOCKER_CERT_PATH', meaning: 'directory with ca.pem, cert.pem, key.pem (default ~/.docker)' },
  { name: 'DOCKER_CONTEXT', meaning: 'docker context to use when DOCKER_HOST is not set' },
  { name: 'DOCKER_CONFIG', meaning: 'docker configuration directory (default ~/.docker), where contexts live' },
  { name: 'NO_COLOR', meaning: 'any non-empty value turns colour off' },
  { name: 'FORCE_COLOR', meaning: '1, 2 or 3 forces colour at that level even when not on a TTY; 0 turns it off' },
  { name: 'BERTH_DEBUG', meaning: '1 prints stack traces with errors' },
  { name: 'XDG_STATE_HOME', meaning: 'where state files go by default ($XDG_STATE_HOME/berth, else ~/.local/state/berth)' },
];
