// What every script here shares with the JUnit side, browser or not: JSON lines on stdout, and
// `--name value` options on the command line.

/** Prints one fact as a JSON line. */
export function emit(fact) {
  process.stdout.write(JSON.stringify(fact) + '\n');
}

/** `--name value` options, as an object. */
export function options(argv = process.argv.slice(2)) {
  const parsed = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) {
      throw new Error(`expected --name value pairs, got ${argv.slice(i).join(' ')}`);
    }
    parsed[argv[i].slice(2)] = argv[i + 1];
  }
  return parsed;
}
