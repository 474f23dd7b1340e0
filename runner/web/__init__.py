"""The caseworker's review page: a server-rendered FastAPI app (`saksrobot serve`)."""
