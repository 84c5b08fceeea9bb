// Logs into a Soulseek server with the third-party npm package slsk-client.
// Usage: node login.js <host> <port> <user> <password> <incomingPort>
// Prints LOGGED_IN and exits 0 on success, prints ERR <reason> and exits 2 on failure.
const slsk = require('slsk-client')
const [host, port, user, pass, incomingPort] = process.argv.slice(2)
const timer = setTimeout(() => { console.log('ERR no answer'); process.exit(3) }, 8000)
slsk.connect({ host, port: Number(port), user, pass, incomingPort: Number(incomingPort), timeout: 5000 }, (err) => {
  clearTimeout(timer)
  if (err) {
    console.log('ERR ' + err.message)
    process.exit(2)
  }
  console.log('LOGGED_IN')
  setTimeout(() => process.exit(0), 200)
})
