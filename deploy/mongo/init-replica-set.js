// docker-compose health check for mongo: initiate the one-node replica set on first run,
// then report healthy only once this node is a writable primary (transactions need it).
try {
  rs.status();
} catch (error) {
  rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] });
}
quit(db.hello().isWritablePrimary ? 0 : 1);
